"""EcrPatterns-ProductionLifecycle: a production repository's lifecycle policy expires no tagged image.

Deployments reference images by tag (``ContainerImage.from_ecr_repository(repo, "v1.4.2")``); a rule that expires
tagged images (``tagStatus`` ``tagged`` or ``any`` with the ``expire`` action, ECR User Guide, "Lifecycle policy
properties") can take away the image a service runs, after N newer pushes or N days. ``ProdRepository``'s own
default archives instead (an archived image is restored, not lost). An ``untagged`` rule is not reported: a
deployment by digest of an untagged image is the one case it can hit, and ECR's own guidance keeps such rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import RepositorySettings


def expiring_rules(text: str) -> list[str]:
    """One description per rule of a policy text that expires tagged images (a text that is not a policy: none)."""
    try:
        policy = json.loads(text)
    except json.JSONDecodeError:
        return []  # EcrPatterns-LifecyclePolicy reports it
    rules = policy.get("rules") if isinstance(policy, Mapping) else None
    found = []
    for rule in rules if isinstance(rules, list) else []:
        if not isinstance(rule, Mapping):
            continue
        selection: Any = rule.get("selection")
        action: Any = rule.get("action") or {}
        if not isinstance(selection, Mapping) or not isinstance(action, Mapping):
            continue  # EcrPatterns-LifecyclePolicy reports a malformed rule
        if action.get("type", "expire") != "expire" or selection.get("tagStatus") not in ("tagged", "any"):
            continue
        count = f"{selection.get('countType')} {selection.get('countNumber')}"
        found.append(f"rule {rule.get('rulePriority')} ({selection.get('tagStatus')}, {count})")
    return found


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    text = settings.lifecycle_policy
    if not settings.is_production or not isinstance(text, str):
        return Outcome.not_applicable()
    found = expiring_rules(text)
    if not found:
        return Outcome.ok()
    return Outcome.fail(
        f"{'; '.join(found)} may expire a tagged image a deployment still runs", "Properties.LifecyclePolicy"
    )


RULE = Rule(
    id="EcrPatterns-ProductionLifecycle",
    level=Level.WARNING,
    explanation="A production image that a rule expires is gone: a deployment that still references it cannot pull.",
    fix="Archive instead of expire (ProdRepository's default, ecr_patterns.lifecycle.archive_images_* helpers), or "
    "keep the tags you deploy with keep_tagged_images(...) at a higher priority.",
    check=check,
)
