"""The bootstrap template hardening and the live check. Re-exported by ``ecr_patterns.bootstrap``."""

from __future__ import annotations

__all__: list[str] = []
