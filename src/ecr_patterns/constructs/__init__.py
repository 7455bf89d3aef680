"""Layer 2, the CDK constructs: the patterns, registry constructs, the compliance Aspect and validation
plugins, built on the core. Public names are re-exported by ``ecr_patterns`` and its topic modules."""

from __future__ import annotations

__all__: list[str] = []
