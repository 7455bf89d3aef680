"""The plain-Python core: one model of a repository's effective settings, read from a template, a live
repository or a catalog entry. Never imports ``aws_cdk``."""

from __future__ import annotations

from ecr_patterns.core.settings import DeployTime, RepositorySettings

__all__ = ["DeployTime", "RepositorySettings"]
