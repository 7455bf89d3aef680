"""``RegistryKey``: one customer managed KMS key for every repository of an account and region.

Security Hub ECR.5 and AWS Config's ``ecr-repository-cmk-encryption-enabled`` fail a repository encrypted with
AES256 or the AWS managed key ``aws/ecr``. A key per repository costs a key's monthly fee each, and keys that
differ between repositories defeat registry blob mounting, which shares layers only between repositories with
the same encryption type and key (ECR User Guide, "Blob mounting"). One key per registry avoids both.

How ECR uses the key (User Guide, "Encryption at rest"): when a repository is created, ECR calls
``DescribeKey`` and sends two ``CreateGrant`` requests *as the principal that creates the repository*; pushes
and pulls then go through those grants, whose grantee is the repository. So the creator (CloudFormation's
execution role, or the creation template's custom role for repositories ECR creates itself) needs
``kms:DescribeKey``/``kms:CreateGrant`` and, for deletion, ``kms:RetireGrant``; pushers and pullers need none
(aws-cdk-lib's ``grantPull`` grants no KMS action either: ``aws-ecr/lib/repository.js``).
"""

from __future__ import annotations

from aws_cdk import Annotations, CfnResource, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct, IConstruct

from ecr_patterns.constructs._policies import as_template
from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core.settings import survives_stack

DESCRIPTION = "ecr-patterns RegistryKey: encrypts this account and region's ECR repositories"
PULL_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")
"""What another account's pull may need of the key, and only through ECR (``kms:ViaService``)."""
CREATION_ACTIONS = ("kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey")
"""The KMS part of the creation template role's documented policy (User Guide, "Create a custom policy for
repository creation templates")."""
CREATION_ROLE_ECR_ACTIONS = ("ecr:CreateRepository", "ecr:ReplicateImage", "ecr:TagResource")
"""The ECR part of that policy, same page."""


class RegistryKey(kms.Key):
    """A customer managed KMS key for all the ECR repositories of one account and region (Security Hub ECR.5).

    Pass it to the patterns with ``encryption_key=``; a ``RepositoryCreationTemplate`` given it gets the
    custom role ECR needs to create repositories with it (:attr:`repository_creation_role`). Its key policy is
    aws-cdk's default one (the account may use and manage the key through IAM policies, which is how
    CloudFormation's execution role creates the repositories' grants), plus, for each account or
    organization you name with :meth:`allow_pull_from_accounts` or :meth:`allow_pull_from_organization` (never
    implicitly: pulls go through ECR's grants), ``kms:Decrypt``/``kms:DescribeKey`` through ECR only. A key is
    regional: a replication destination uses a ``RegistryKey`` of its own (ECR's docs: "The key must exist in
    the same Region as the repository"). One per account and region in an app.

    :param removal_policy: default ``RemovalPolicy.RETAIN``: deleting the stack never schedules the key for
        deletion, which would make every image encrypted with it unreadable. Another value is warned, and a
        ``ProdRepository`` refuses such a key.
    :param enable_key_rotation: default ``True`` (yearly automatic rotation; ``False`` is warned).
    :param description: default ``"ecr-patterns RegistryKey: encrypts this account and region's ECR
        repositories"``.
    :param alias: default ``None`` (no alias).
    :param kwargs: any other ``aws_kms.KeyProps`` keyword, passed on unchanged.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        removal_policy: RemovalPolicy | None = None,
        enable_key_rotation: bool | None = None,
        description: str | None = None,
        alias: str | None = None,
        **kwargs: object,
    ) -> None:
        removal = RemovalPolicy.RETAIN if removal_policy is None else removal_policy
        rotation = True if enable_key_rotation is None else enable_key_rotation
        super().__init__(
            scope,
            id,
            removal_policy=removal,
            enable_key_rotation=rotation,
            description=DESCRIPTION if description is None else description,
            alias=alias,
            **kwargs,  # type: ignore[arg-type]
        )
        claim_once(self, "RegistryKey")
        self._pull_accounts: list[str] = []
        self._pull_organizations: list[str] = []
        self._creation_role: iam.Role | None = None
        if removal != RemovalPolicy.RETAIN:
            Annotations.of(self).add_warning_v2(
                "ecr-patterns:removalPolicy",
                f"removal_policy={removal.value} overrides the secure default RETAIN: deleting the stack schedules "
                "the key for deletion, and every image encrypted with it becomes unreadable when it is deleted.",
            )
        if not rotation:
            Annotations.of(self).add_warning_v2(
                "ecr-patterns:enableKeyRotation",
                "enable_key_rotation=False overrides the secure default True (yearly rotation; Security Hub KMS.4).",
            )

    # -- pulls from elsewhere ----------------------------------------------------------------

    def allow_pull_from_accounts(self, *account_ids: str) -> None:
        """Let ECR use the key for pulls by principals of these accounts (``kms:Decrypt``/``kms:DescribeKey``
        restricted by ``kms:ViaService``), each account once. Never called implicitly: the User Guide's
        "Encryption at rest" says pulls go through the grants ECR creates for the repository, so a puller needs no
        key permission; call it only where your own measurement says a pull needs it."""
        new = [a for a in account_ids if a not in self._pull_accounts]
        if not new:
            return
        self._pull_accounts.extend(new)
        principals = [iam.AccountPrincipal(a) for a in new]
        self.add_to_resource_policy(
            iam.PolicyStatement(
                actions=list(PULL_ACTIONS),
                principals=principals,
                resources=["*"],
                conditions={"StringEquals": {"kms:ViaService": self._via_ecr()}},
            )
        )

    def allow_pull_from_organization(self, organization_id: str) -> None:
        """The same for every principal of an AWS Organization (``*`` with ``StringEquals`` on
        ``aws:PrincipalOrgID``); added once per organization, and only when called."""
        if organization_id in self._pull_organizations:
            return
        self._pull_organizations.append(organization_id)
        self.add_to_resource_policy(
            iam.PolicyStatement(
                actions=list(PULL_ACTIONS),
                principals=[iam.AnyPrincipal()],
                resources=["*"],
                conditions={"StringEquals": {"aws:PrincipalOrgID": organization_id, "kms:ViaService": self._via_ecr()}},
            )
        )

    # -- repositories ECR creates itself -----------------------------------------------------

    def grant_repository_creation(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let a principal create repositories encrypted with this key: ``kms:CreateGrant``,
        ``kms:RetireGrant``, ``kms:DescribeKey`` on it (for a CloudFormation execution role whose policy is
        narrower than the bootstrap's default ``AdministratorAccess``)."""
        return self.grant(grantee, *CREATION_ACTIONS)

    @property
    def repository_creation_role(self) -> iam.Role:
        """The custom role a repository creation template needs to create repositories with this key (ECR User
        Guide, "Create an IAM role for repository creation templates": trusted by ``ecr.amazonaws.com``, with
        ``ecr:CreateRepository``, ``ecr:ReplicateImage``, ``ecr:TagResource`` and the key's creation actions).
        Made on first use, once."""
        if self._creation_role is None:
            role = iam.Role(
                self,
                "RepositoryCreationRole",
                assumed_by=iam.ServicePrincipal("ecr.amazonaws.com"),
                description="ECR creates repositories from creation templates with the RegistryKey",
            )
            role.add_to_policy(iam.PolicyStatement(actions=list(CREATION_ROLE_ECR_ACTIONS), resources=["*"]))
            self.grant_repository_creation(role)
            self._creation_role = role
        return self._creation_role

    def _via_ecr(self) -> str:
        stack = Stack.of(self)
        return f"ecr.{stack.region}.{stack.url_suffix}"


def is_retained(key: IConstruct) -> bool | None:
    """Whether a key defined in this app survives a stack delete and a replacement: its ``DeletionPolicy``
    and ``UpdateReplacePolicy`` are both Retain (or RetainExceptOnCreate). ``None`` for a key that is not
    defined here (imported by ARN): this app cannot delete it."""
    cfn = key.node.default_child
    if not isinstance(cfn, CfnResource):
        return None
    options = cfn.cfn_options
    return survives_stack(as_template(options.deletion_policy), as_template(options.update_replace_policy))
