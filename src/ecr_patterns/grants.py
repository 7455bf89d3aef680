"""Pull grants for any repository defined in the app (CDK), each built on ``repository.grant``.
Re-exports only, loaded on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports

if TYPE_CHECKING:
    from ecr_patterns.constructs.grants import (
        grant_lambda_pull,
        grant_pull_to_accounts,
        grant_pull_to_lambda,
        grant_pull_to_organization,
    )

_LAZY = dict.fromkeys(
    ("grant_lambda_pull", "grant_pull_to_accounts", "grant_pull_to_lambda", "grant_pull_to_organization"),
    "ecr_patterns.constructs.grants",
)

__all__ = [
    "grant_lambda_pull",
    "grant_pull_to_accounts",
    "grant_pull_to_lambda",
    "grant_pull_to_organization",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
