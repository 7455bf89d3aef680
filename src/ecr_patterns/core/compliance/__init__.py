"""The compliance rules (plain Python), each a pure function of a repository's settings, and the engine
that runs them over templates. Re-exported by ``ecr_patterns.compliance``."""

from __future__ import annotations

__all__: list[str] = []
