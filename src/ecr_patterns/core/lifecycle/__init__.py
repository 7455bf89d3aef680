"""The lifecycle engine (plain Python): the policy model, the validator and the offline preview.
Re-exported by ``ecr_patterns.lifecycle``."""

from __future__ import annotations

__all__: list[str] = []
