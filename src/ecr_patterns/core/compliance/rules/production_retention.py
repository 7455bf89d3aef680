"""EcrPatterns-ProductionRetention: a production repository survives a stack delete and a replacement, with its
images: ``DeletionPolicy`` and ``UpdateReplacePolicy`` Retain (CloudFormation's default for both is Delete), no
``EmptyOnDelete``, no auto-delete custom resource."""

from __future__ import annotations

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import RETAINED, RETAINED_ON_REPLACE, RepositorySettings


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    if not settings.is_production:
        return Outcome.not_applicable()
    if settings.deletion_policy not in RETAINED:
        return Outcome.fail("a stack delete deletes this production repository", "DeletionPolicy")
    if settings.update_replace_policy not in RETAINED_ON_REPLACE:
        return Outcome.fail("a replacement deletes this production repository", "UpdateReplacePolicy")
    if settings.empty_on_delete:
        return Outcome.fail(
            "EmptyOnDelete deletes every production image with the repository", "Properties.EmptyOnDelete"
        )
    if settings.auto_delete_images:
        return Outcome.fail(
            "a Custom::ECRAutoDeleteImages resource deletes every production image with the stack",
            "Custom::ECRAutoDeleteImages",
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
