"""CDK's deletion-policy enum as the template writes it (one mapping, read by every construct-side reader)."""

from __future__ import annotations

from aws_cdk import CfnDeletionPolicy

_TEMPLATE = {
    CfnDeletionPolicy.DELETE.value: "Delete",
    CfnDeletionPolicy.RETAIN.value: "Retain",
    CfnDeletionPolicy.SNAPSHOT.value: "Snapshot",
    CfnDeletionPolicy.RETAIN_EXCEPT_ON_CREATE.value: "RetainExceptOnCreate",
}


def as_template(policy: CfnDeletionPolicy | None) -> str | None:
    """``CfnDeletionPolicy.RETAIN`` -> ``"Retain"`` (``None`` stays ``None``: absent, which CloudFormation reads as
    ``Delete``)."""
    return None if policy is None else _TEMPLATE[policy.value]
