"""EcrPatterns-TagImmutability: tags cannot be moved to other images (Security Hub ECR.2, CKV_AWS_51)."""

from __future__ import annotations

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import RepositorySettings


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    mutability = settings.tag_mutability
    if mutability == "IMMUTABLE":
        return Outcome.ok()
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        return Outcome.fail("tags matching the exclusion filters can be overwritten", "Properties.ImageTagMutability")
    if mutability == "MUTABLE_WITH_EXCLUSION":
        return Outcome.fail(
            "tags not matching the exclusion filters can be overwritten", "Properties.ImageTagMutability"
        )
    return Outcome.fail(
        f"ImageTagMutability is {mutability}: any tag can be overwritten", "Properties.ImageTagMutability"
    )


RULE = Rule(
    id="EcrPatterns-TagImmutability",
    level=Level.WARNING,
    explanation="A mutable tag can point to a different image tomorrow: deployments by tag are not reproducible.",
    fix="Use image_tag_mutability=IMMUTABLE (SecureRepository's default) and deploy by digest or immutable tag.",
    check=check,
)
