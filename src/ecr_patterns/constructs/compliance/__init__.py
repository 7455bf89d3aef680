"""The compliance rules as a CDK validation plugin and an Aspect. Re-exported by ``ecr_patterns.compliance``."""

from __future__ import annotations

__all__: list[str] = []
