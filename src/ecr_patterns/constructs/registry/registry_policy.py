"""``RegistryPolicy``: the registry's own permissions policy (replication, pull-through cache)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core.errors import Code, ValidationError


class RegistryPolicy(Construct):
    """The registry policy (one per account and region), e.g. to accept replication from another
    account (:func:`ecr_patterns.constructs.registry.replication_policy_statement`).

    :param statements: the policy statements, at least one; more with :meth:`add_statements`.
    """

    def __init__(self, scope: Construct, id: str, *, statements: Sequence[iam.PolicyStatement]) -> None:
        super().__init__(scope, id)
        if not statements:
            raise ValidationError.single(
                "statements",
                [],
                "give at least one iam.PolicyStatement",
                code=Code.REGISTRY_ARGUMENT,
                context=self.node.path,
            )
        # Claimed only once the input is valid.
        claim_once(self, "registry policy")
        self.document = iam.PolicyDocument(statements=list(statements))
        self.resource = ecr.CfnRegistryPolicy(self, "Resource", policy_text=self.document)

    def add_statements(self, *statements: iam.PolicyStatement) -> None:
        self.document.add_statements(*statements)
