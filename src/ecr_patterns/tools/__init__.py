"""Layer 3, the tools: the ``ecr-patterns`` CLI (one package) and what it drives: the live audit and
adoption, the bootstrap hardening. Public names are re-exported by ``ecr_patterns.audit`` and
``ecr_patterns.bootstrap``."""

from __future__ import annotations

__all__: list[str] = []
