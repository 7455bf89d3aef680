"""Acknowledging third-party scanners' findings: only when you ask, with your reason.

ecr-patterns writes no checkov skip and no cdk-nag acknowledgement by itself. Where a scanner cannot read a
condition that makes a statement safe (checkov's CKV_AWS_32 accepts a ``*`` principal only with
``ForAllValues:StringEquals`` on ``aws:PrincipalOrgID``, which is true when the key is absent; cdk-nag's
AwsSolutions-ECR1 flags every ``*`` principal; checkov's CKV_AWS_33 flags every ``*`` in a key policy), call
:func:`acknowledge_scanner_findings` once, on the resource, with the reason you would give a reviewer.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Acknowledgment, CfnResource, Validations
from constructs import IConstruct

from ecr_patterns.constructs._checks import check_sequence
from ecr_patterns.constructs.compliance.suppressions import MIN_REASON_LENGTH
from ecr_patterns.core.errors import Code, Problems


def acknowledge_scanner_findings(scope: IConstruct, *, checks: Sequence[str], reason: str) -> None:
    """Acknowledge scanner findings on one construct, with a reason, at once (not during validation, so the
    template is the same with and without ``skip_validation``).

    - a checkov id (``CKV_AWS_32``): a skip with the reason in the resource's ``checkov`` metadata (the L1 of
      ``scope``), the form checkov reads from CloudFormation templates;
    - a cdk-nag id (``AwsSolutions-ECR1``, optionally with its finding, ``AwsSolutions-IAM5[Resource::*]``):
      ``Validations.of(scope).acknowledge`` with the pack's namespace (``AwsSolutions::AwsSolutions-ECR1``).

    :param checks: the check ids, one or more.
    :param reason: why the finding is a false positive here (at least 10 characters).
    """
    problems = Problems()
    ids = check_sequence(problems, "checks", checks, str, "check id strings", code=Code.COMPLIANCE_SUPPRESSION) or []
    if checks is not None and not isinstance(checks, str) and not ids and not problems.items:
        problems.add("checks", list(checks), "give at least one check id", code=Code.COMPLIANCE_SUPPRESSION)
    if not isinstance(reason, str) or len(reason.strip()) < MIN_REASON_LENGTH:
        problems.add(
            "reason", reason, f"say why (at least {MIN_REASON_LENGTH} characters)", code=Code.COMPLIANCE_SUPPRESSION
        )
    resource = scope if isinstance(scope, CfnResource) else getattr(scope.node, "default_child", None)
    checkov = [c for c in ids if c.startswith("CKV")]
    if checkov and not isinstance(resource, CfnResource):
        problems.add(
            "scope",
            type(scope).__name__,
            "checkov skips need a CloudFormation resource (an L1 or an L2 with one)",
            code=Code.COMPLIANCE_SCOPE,
        )
    unknown = [c for c in ids if not c.startswith("CKV") and "-" not in c]
    for check in unknown:
        problems.add(
            "checks",
            check,
            "give a checkov id (CKV_AWS_32) or a cdk-nag id (AwsSolutions-ECR1)",
            code=Code.COMPLIANCE_SUPPRESSION,
        )
    problems.raise_if_any(context=lambda: scope.node.path)
    for check in checkov:
        assert isinstance(resource, CfnResource)
        _add_checkov_skip(resource, check, reason.strip())
    for check in (c for c in ids if not c.startswith("CKV")):
        pack = check.split("-", 1)[0]
        Validations.of(scope).acknowledge(Acknowledgment(id=f"{pack}::{check}", reason=reason.strip()))


def _add_checkov_skip(cfn: CfnResource, check_id: str, comment: str) -> None:
    """Write (or rewrite) one checkov skip in the resource's ``checkov`` metadata, keeping the other skips."""
    checkov = cfn.get_metadata("checkov") or {}
    skips = [s for s in checkov.get("skip", []) if s.get("id") != check_id]
    skips.append({"id": check_id, "comment": comment})
    cfn.add_metadata("checkov", {**checkov, "skip": skips})
