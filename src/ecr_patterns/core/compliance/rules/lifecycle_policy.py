"""EcrPatterns-LifecyclePolicy: a lifecycle policy exists and ECR would accept it (Security Hub ECR.3)."""

from __future__ import annotations

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.lifecycle.validate import lifecycle_policy_violations
from ecr_patterns.core.settings import RepositorySettings


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    text = settings.lifecycle_policy
    if text is None:
        return Outcome.fail("no lifecycle policy: images are kept (and billed) forever", "Properties.LifecyclePolicy")
    if not isinstance(text, str):
        return Outcome.ok()  # built at deploy time (Fn::Join etc.): cannot be judged from the template
    problems = lifecycle_policy_violations(text)
    if problems:
        shown = "; ".join(str(p) for p in problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        return Outcome.fail(f"ECR would reject the lifecycle policy: {shown}", "Properties.LifecyclePolicy")
    return Outcome.ok()


RULE = Rule(
    id="EcrPatterns-LifecyclePolicy",
    level=Level.ERROR,
    explanation="Without a valid lifecycle policy old images pile up; an invalid one fails the deploy.",
    fix="Give lifecycle_rules (ecr_patterns.lifecycle helpers) and check them with `ecr-patterns lifecycle validate`.",
    check=check,
)
