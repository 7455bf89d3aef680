"""Every rule an audit can report, with its explanation and fix (SARIF rule metadata, ASFF titles, README)."""

from __future__ import annotations

from dataclasses import dataclass

from ecr_patterns.core.compliance.rules import ALL_RULES
from ecr_patterns.tools.audit.report import COULD_NOT_READ


@dataclass(frozen=True)
class AuditRule:
    id: str
    level: str
    explanation: str
    fix: str


EFFECT_RULES = (
    AuditRule(
        "EcrPatterns-LifecycleExpiresNothing",
        "warning",
        "A lifecycle policy exists but expires or archives nothing now or over the next 90 days at the current push "
        "rate: Security Hub ECR.3 passes while the repository grows.",
        "Add rules that select the images the repository really holds, tagged ones included.",
    ),
    AuditRule(
        "EcrPatterns-LifecycleGrowthUnbounded",
        "warning",
        "No rule selects every tagged image (tagStatus any, or tagged with the pattern *): tagged images no rule "
        "selects are kept forever.",
        "End the policy with a tagStatus any rule (keep_last) or archive old tagged images.",
    ),
    AuditRule(
        "EcrPatterns-LifecycleRuleSelectsNothing",
        "warning",
        "A rule selects none of the repository's images.",
        "Check its tag prefixes or patterns against the repository's tags, or remove it.",
    ),
    AuditRule(
        "EcrPatterns-LifecycleRuleShadowed",
        "warning",
        "Every image a rule selects was selected first by a higher-priority rule: it decides nothing.",
        "Give it a lower rulePriority or narrow the rules before it.",
    ),
    AuditRule(
        "EcrPatterns-LifecycleKeptByPullOnly",
        "note",
        "Images a sinceImagePulled rule would mark by their push time are kept only by their last recorded pull: "
        "ECR records every pull but Amazon Inspector's, so a third-party scanner keeps images looking in use.",
        "Exclude scanner, replication and backup roles with ECR's pull-time update exclusions.",
    ),
    AuditRule(
        "EcrPatterns-CreationTemplateMismatch",
        "warning",
        "A repository differs from the creation template whose prefix matches its name: changed since ECR created it, "
        "or not created through the template.",
        "Make the repository and its template agree, or narrow the template's prefix.",
    ),
    AuditRule(
        COULD_NOT_READ,
        "error",
        "Part of the estate could not be read (AccessDenied, throttling past the retries, an unknown region or an "
        "endpoint without the call): the audit is incomplete there.",
        "Give the audit the read-only IAM policy in README, or retry later if throttled.",
    ),
)

AUDIT_RULES: tuple[AuditRule, ...] = (
    *(AuditRule(r.id, str(r.level), r.explanation, r.fix) for r in ALL_RULES if r.live),
    *EFFECT_RULES,
)
"""The rules of a live audit: the synth-time rules that can judge live state, then the lifecycle-effect
checks and could-not-read."""
