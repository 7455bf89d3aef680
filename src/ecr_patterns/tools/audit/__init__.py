"""The live audit and adoption. Re-exported by ``ecr_patterns.audit``."""

from __future__ import annotations

__all__: list[str] = []
