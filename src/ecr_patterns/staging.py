"""The app-staging synthesizer's repositories, secure (CDK; ``pip install 'ecr-patterns[staging]'``).
Re-exports only, loaded on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports

if TYPE_CHECKING:
    from ecr_patterns.constructs.staging import SecureStagingFactory, SecureStagingStack

_LAZY = dict.fromkeys(("SecureStagingFactory", "SecureStagingStack"), "ecr_patterns.constructs.staging")

__all__ = ["SecureStagingFactory", "SecureStagingStack"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
