"""Registry-level constructs (CDK). The public names are re-exported by ``ecr_patterns.registry``."""

from __future__ import annotations

__all__: list[str] = []
