"""Layer 1, the plain-Python core: one model of a repository's effective settings, read from a template, a live
repository or a catalog entry; the lifecycle engine; the compliance rules. Never imports ``aws_cdk``. Names load
on first use, so importing ``ecr_patterns.core.errors`` does not load the model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports

if TYPE_CHECKING:
    from ecr_patterns.core.settings import DeployTime, RepositorySettings

_LAZY = dict.fromkeys(("DeployTime", "RepositorySettings"), "ecr_patterns.core.settings")

__all__ = ["DeployTime", "RepositorySettings"]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
