"""The compliance rules, one per module; ``ALL_RULES`` in a stable order."""

from __future__ import annotations

from ecr_patterns.core.compliance.rules import (
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

PATTERN_RULES = (pull_time_exclusions.RULE, production_lifecycle.RULE)
"""Rules a pattern reports itself, as warnings, on its own repositories (``ecr_patterns.constructs.guarantees``); the
compliance
plugin and the Aspect leave them to it, so each finding is reported once."""

__all__ = ["ALL_RULES"]
