"""Per-construct suppressions: a reason is required, and it is written into the template."""

from __future__ import annotations

from aws_cdk import CfnResource
from constructs import IConstruct

from ecr_patterns.compliance.model import SUPPRESSIONS_KEY
from ecr_patterns.compliance.rules import ALL_RULES
from ecr_patterns.errors import ValidationError

MIN_REASON_LENGTH = 10


def suppress(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Suppress one rule on one repository (an L2 or its ``CfnRepository``), with a reason.

    The suppression is written into the resource's template metadata
    (``ecr-patterns:suppressions``), where the validation plugin, the Aspect and reviewers
    reading the template all see it.

    :param rule_id: e.g. ``"EcrPatterns-TagImmutability"``.
    :param reason: why the finding does not apply (at least 10 characters).
    """
    known = {r.id for r in ALL_RULES}
    if rule_id not in known:
        raise ValidationError.single("rule_id", rule_id, f"use one of {', '.join(sorted(known))}")
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_LENGTH:
        raise ValidationError.single(
            "reason", reason, f"say why the rule does not apply here (at least {MIN_REASON_LENGTH} characters)"
        )
    resource = scope if isinstance(scope, CfnResource) else scope.node.default_child
    if not isinstance(resource, CfnResource):
        raise ValidationError.single(
            "scope", scope.node.path, "suppress on a repository defined in this app (an L2 or its CfnRepository)"
        )
    entries = [e for e in (resource.get_metadata(SUPPRESSIONS_KEY) or []) if e.get("id") != rule_id]
    resource.add_metadata(SUPPRESSIONS_KEY, [*entries, {"id": rule_id, "reason": reason.strip()}])
