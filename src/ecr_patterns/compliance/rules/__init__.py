"""The compliance rules, one per module; ``ALL_RULES`` in a stable order."""

from __future__ import annotations

from ecr_patterns.compliance.rules import (
    encryption,
    lifecycle_policy,
    open_access,
    production_lifecycle,
    production_retention,
    pull_time_exclusions,
    scan_on_push,
    tag_immutability,
)

ALL_RULES = (
    scan_on_push.RULE,
    tag_immutability.RULE,
    encryption.RULE,
    lifecycle_policy.RULE,
    open_access.RULE,
    production_retention.RULE,
    production_lifecycle.RULE,
    pull_time_exclusions.RULE,
)

__all__ = ["ALL_RULES"]
