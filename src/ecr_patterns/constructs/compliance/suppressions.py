"""One acknowledgement for a deliberate setting: the construct warning, the plugin and the Aspect alike.

A reason is required, and it is written into the template metadata (``ecr-patterns:suppressions``),
where the validation plugin, the Aspect and reviewers all read it.
"""

from __future__ import annotations

from aws_cdk import CfnResource
from aws_cdk import aws_ecr as ecr
from constructs import IConstruct

from ecr_patterns.constructs._checks import shown as _shown
from ecr_patterns.core.compliance.model import CONSTRUCT_WARNINGS, SUPPRESSIONS_KEY
from ecr_patterns.core.compliance.rules import ALL_RULES
from ecr_patterns.core.errors import Code, Problems

MIN_REASON_LENGTH = 10


def suppress(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one deliberate setting on one repository (an L2 or its ``CfnRepository``), with a reason.

    ``rule_id`` is a compliance rule id (``"EcrPatterns-TagImmutability"``) or the id of the pattern's
    own warning (``"ecr-patterns:imageTagMutability"``); either names the same setting. One call:

    - suppresses the rule for the validation plugin and the Aspect (template metadata, with the reason);
    - acknowledges the patterns' own warning about that setting (the guarantees plugin reads the same metadata).

    :param rule_id: a rule id of ``ALL_RULES`` or a construct warning id such as ``ecr-patterns:encryption``.
    :param reason: why the setting is right here (at least 10 characters).
    """
    known = {r.id for r in ALL_RULES}
    rule = CONSTRUCT_WARNINGS.get(rule_id, rule_id)
    problems = Problems()
    if rule not in known:
        problems.add(
            "rule_id",
            rule_id,
            f"use a rule id ({', '.join(sorted(known))}) or a construct warning id ({', '.join(CONSTRUCT_WARNINGS)})",
            code=Code.COMPLIANCE_SUPPRESSION,
        )
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_LENGTH:
        problems.add(
            "reason",
            reason,
            f"say why the setting is right here (at least {MIN_REASON_LENGTH} characters)",
            code=Code.COMPLIANCE_SUPPRESSION,
        )
    resource = _judged_resource(scope)
    if resource is None:
        problems.add(
            "scope",
            _shown(scope),
            "suppress on an ECR repository defined in this app (an L2 or its CfnRepository), a CfnRegistryPolicy or "
            "a CfnRepositoryCreationTemplate",
            code=Code.COMPLIANCE_SCOPE,
        )
    problems.raise_if_any(context=lambda: scope.node.path if resource is not None else "suppress")
    assert resource is not None
    # Template metadata: the guarantees plugin, the compliance plugin and the Aspect all read it there.
    record_suppression(resource, rule, reason.strip())


_JUDGED = (ecr.CfnRepository, ecr.CfnRegistryPolicy, ecr.CfnRepositoryCreationTemplate)


def _judged_resource(scope: object) -> CfnResource | None:
    """The L1 the rules judge: ``scope`` itself, or an L2's default child; ``None`` for anything else."""
    if isinstance(scope, _JUDGED):
        return scope
    node = getattr(scope, "node", None)
    child = getattr(node, "default_child", None) if node is not None else None
    return child if isinstance(child, _JUDGED) else None


def record_suppression(resource: CfnResource, rule_id: str, reason: str) -> None:
    """Write one suppression into the resource's template metadata (replacing one for the same rule)."""
    entries = [e for e in (resource.get_metadata(SUPPRESSIONS_KEY) or []) if e.get("id") != rule_id]
    resource.add_metadata(SUPPRESSIONS_KEY, [*entries, {"id": rule_id, "reason": reason}])
