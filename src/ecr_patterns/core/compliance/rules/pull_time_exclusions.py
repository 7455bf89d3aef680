"""EcrPatterns-PullTimeExclusions: a ``sinceImagePulled`` rule in an app that excludes no principal from pull-time
updates. ECR records every pull but Amazon Inspector's (User Guide, "Pull-time update exclusions"), so a
third-party scanner's pulls keep images looking in use and the rule archives nothing."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import RepositorySettings


def _pulled_rules(text: Any) -> list[Any]:
    if not isinstance(text, str):
        return []  # built at deploy time: cannot be judged from the template
    try:
        policy = json.loads(text)
    except json.JSONDecodeError:
        return []  # EcrPatterns-LifecyclePolicy reports it
    rules = policy.get("rules") if isinstance(policy, Mapping) else None
    return [
        r.get("rulePriority")
        for r in rules or []
        if isinstance(r, Mapping) and (r.get("selection") or {}).get("countType") == "sinceImagePulled"
    ]


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    if ctx.pull_time_exclusions is None:
        return Outcome.not_applicable()  # the app's exclusions are not known here
    pulled = _pulled_rules(settings.lifecycle_policy)
    if not pulled or ctx.pull_time_exclusions > 0:
        return Outcome.ok()
    return Outcome.fail(
        f"rule {', '.join(map(str, pulled))} counts days since the last recorded pull, but this account and region "
        "exclude no principal from pull-time updates: Amazon Inspector's pulls are never recorded, other scanners' "
        "are, and keep images looking in use",
        "Properties.LifecyclePolicy",
    )


RULE = Rule(
    id="EcrPatterns-PullTimeExclusions",
    level=Level.WARNING,
    explanation="A sinceImagePulled rule archives nothing while a scanner's pulls keep every image looking in use.",
    fix="Register the scanner, replication and backup roles with ecr_patterns.registry.PullTimeUpdateExclusions.",
    check=check,
)
