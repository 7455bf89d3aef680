"""The catalog format, its loader and the shard plan (plain Python, pydantic).
Re-exported by ``ecr_patterns.catalog``."""

from __future__ import annotations

__all__: list[str] = []
