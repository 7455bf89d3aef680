"""EcrPatterns-ProductionRetention: a production repository survives a stack delete with its images."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecr_patterns.compliance.model import PRODUCTION_KEY, Level, Outcome, Rule, RuleContext

PRODUCTION_TAG_KEYS = frozenset({"environment", "env", "stage"})
PRODUCTION_TAG_VALUES = frozenset({"prod", "production"})


def is_production(resource: Mapping[str, Any]) -> bool:
    """Marked by ``ProdRepository`` (template metadata) or by a tag such as ``environment=production``."""
    if (resource.get("Metadata") or {}).get(PRODUCTION_KEY) is True:
        return True
    for tag in (resource.get("Properties") or {}).get("Tags") or []:
        key, value = str(tag.get("Key", "")).lower(), str(tag.get("Value", "")).lower()
        if key in PRODUCTION_TAG_KEYS and value in PRODUCTION_TAG_VALUES:
            return True
    return False


def check(resource: Mapping[str, Any], ctx: RuleContext) -> Outcome:
    if not is_production(resource):
        return Outcome.not_applicable()
    if resource.get("DeletionPolicy", "Delete") == "Delete":
        return Outcome.fail("a stack delete deletes this production repository", "DeletionPolicy")
    if (resource.get("Properties") or {}).get("EmptyOnDelete") is True:
        return Outcome.fail(
            "EmptyOnDelete deletes every production image with the repository", "Properties.EmptyOnDelete"
        )
    return Outcome.ok()


RULE = Rule(
    id="EcrPatterns-ProductionRetention",
    level=Level.ERROR,
    explanation="Production images must never be lost by accident (a stack delete or replacement).",
    fix="Use ProdRepository (RETAIN, no empty_on_delete), or RemovalPolicy.RETAIN on the repository.",
    check=check,
    live=False,  # a deletion policy and EmptyOnDelete exist only in a template: ECR does not know them
)
