"""Grant shortcuts for any repository defined in the app (``aws_ecr.Repository`` or ours).

Each is built on aws-cdk's own grant primitive, ``repository.grant(grantee, *actions)``, and returns its
``iam.Grant``. Pull shortcuts grant exactly the three pull actions (``defaults.PULL_ACTIONS``): never
push actions, never ``ecr:*``. An imported repository has no policy to add to: that is a
``ValidationError``, not a silent no-op. A repository encrypted with a
:class:`~ecr_patterns.registry.RegistryKey` also gets the key statements the pull may need
(``kms:Decrypt``/``kms:DescribeKey`` through ECR only) for the accounts or the organization.

The organization grant writes two scanner acknowledgements (a checkov skip and a cdk-nag
acknowledgement) only at synth, and only while every ``*``-principal statement of the repository's
final policy is restricted by ``StringEquals`` on ``aws:PrincipalOrgID``, ``aws:SourceAccount`` or
``aws:SourceArn``: a later statement that opens the repository is never hidden from them.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

import jsii
from aws_cdk import Acknowledgment, Aws, CfnResource, Stack, Token, Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import IConstruct, IValidation

from ecr_patterns import defaults
from ecr_patterns._scanners import add_checkov_skip
from ecr_patterns.compliance.rules.open_access import every_star_statement_restricted
from ecr_patterns.errors import Code, Problems, ValidationError

if TYPE_CHECKING:
    from ecr_patterns.registry.key import RegistryKey

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")

ORG_PULL_REASON = (
    "Every principal-* statement of this repository policy is restricted by StringEquals on aws:PrincipalOrgID, "
    "aws:SourceAccount or aws:SourceArn (checked by ecr-patterns at synth); the scanner does not read that condition."
)
_SCANNER_CHECK = "_ecr_patterns_scanner_check"


def _account_ids(account_ids: tuple[str, ...], problems: Problems) -> list[str]:
    if not account_ids:
        problems.add("account_ids", account_ids, "give at least one 12-digit AWS account id", code=Code.GRANT_ACCOUNT)
    for account in account_ids:
        if isinstance(account, str) and Token.is_unresolved(account):
            continue
        if not isinstance(account, str) or not _ACCOUNT_ID.match(account):
            problems.add(
                "account_ids",
                account,
                "an AWS account id is exactly 12 digits, as a string: '123456789012'",
                code=Code.GRANT_ACCOUNT,
            )
    return list(account_ids)


def _pull(repository: ecr.IRepository, grantee: iam.IGrantable) -> iam.Grant:
    """aws-cdk's grant primitive with the pull actions. An imported repository (no ``CfnRepository`` in
    this app) is an error: aws-cdk would return a grant whose statement goes nowhere."""
    if not isinstance(repository.node.default_child, CfnResource):
        path = repository.node.path
        raise ValidationError.single(
            "repository",
            path,
            "is imported, so this app cannot change its repository policy; grant on the repository where it is defined",
            code=Code.GRANT_IMPORTED,
            context=path,
        )
    return repository.grant(grantee, *defaults.PULL_ACTIONS)


def grant_pull_to_accounts(repository: ecr.IRepository, *account_ids: str) -> iam.Grant:
    """Let principals of whole AWS accounts pull images (they still need IAM permissions at home).

    :param account_ids: one or more 12-digit account ids.
    :returns: the combined ``iam.Grant`` of the accounts.
    """
    problems = Problems()
    accounts = _account_ids(account_ids, problems)
    problems.raise_if_any(context=lambda: repository.node.path)
    # One statement for all the accounts: a composite principal renders them as one list.
    principals = [iam.AccountPrincipal(a) for a in accounts]
    grant = _pull(repository, principals[0] if len(principals) == 1 else iam.CompositePrincipal(*principals))
    key = _registry_key(repository)
    if key is not None:
        key.allow_pull_from_accounts(*accounts)
    return grant


def grant_pull_to_organization(repository: ecr.IRepository, organization_id: str) -> iam.Grant:
    """Let every principal in an AWS Organization pull images.

    ``iam.OrganizationPrincipal``: principal ``*`` restricted with ``StringEquals`` on
    ``aws:PrincipalOrgID``. Never ``ForAllValues:StringEquals``: that operator is true when the key is
    absent, so a principal outside any organization would pass.

    :param organization_id: ``o-`` followed by 10 to 32 lowercase letters or digits.
    """
    if not (isinstance(organization_id, str) and Token.is_unresolved(organization_id)) and (
        not isinstance(organization_id, str) or not _ORG_ID.match(organization_id)
    ):
        raise ValidationError.single(
            "organization_id",
            organization_id,
            "an organization id looks like 'o-a1b2c3d4e5' (o- and 10-32 [a-z0-9])",
            code=Code.GRANT_ORGANIZATION,
            context=repository.node.path,
        )
    grant = _pull(repository, iam.OrganizationPrincipal(organization_id))
    _check_scanners_at_synth(repository)
    key = _registry_key(repository)
    if key is not None:
        key.allow_pull_from_organization(organization_id)
    return grant


def grant_pull_to_lambda(repository: ecr.IRepository, *account_ids: str, grant_accounts: bool = True) -> iam.Grant:
    """Let container-image Lambda functions in these accounts pull images.

    Adds the Lambda service principal, limited with ``aws:sourceArn`` to functions of these
    accounts in the repository's region. As the Lambda developer guide prescribes for
    cross-account images, the accounts themselves also get pull (``CreateFunction`` checks the
    caller's access to the image).

    :param account_ids: one or more 12-digit account ids.
    :param grant_accounts: also grant pull to the accounts' principals. Default ``True``.
    """
    problems = Problems()
    accounts = _account_ids(account_ids, problems)
    problems.raise_if_any(context=lambda: repository.node.path)
    arns = [f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:{a}:function:*" for a in accounts]
    lambda_principal = iam.PrincipalWithConditions(
        iam.ServicePrincipal("lambda.amazonaws.com"), {"StringLike": {"aws:sourceArn": arns}}
    )
    if not grant_accounts:
        return _pull(repository, lambda_principal)
    return grant_pull_to_accounts(repository, *accounts).combine(_pull(repository, lambda_principal))


def grant_lambda_pull(repository: ecr.IRepository, *account_ids: str, grant_accounts: bool = True) -> iam.Grant:
    """Deprecated name of :func:`grant_pull_to_lambda` (same behaviour).

    :param grant_accounts: default ``True``.
    """
    warnings.warn("grant_lambda_pull is deprecated: use grant_pull_to_lambda", DeprecationWarning, stacklevel=2)
    return grant_pull_to_lambda(repository, *account_ids, grant_accounts=grant_accounts)


def _registry_key(repository: ecr.IRepository) -> RegistryKey | None:
    """The repository's ``RegistryKey``, whose key policy the pull grants extend (through ECR only)."""
    from ecr_patterns.registry.key import RegistryKey

    key = getattr(repository, "encryption_key", None)
    return key if isinstance(key, RegistryKey) else None


def _check_scanners_at_synth(repository: ecr.IRepository) -> None:
    """Register (once per repository) the synth-time check that writes the scanner acknowledgements."""
    cfn = repository.node.default_child
    if not isinstance(cfn, CfnResource) or getattr(repository, _SCANNER_CHECK, False):
        return
    setattr(repository, _SCANNER_CHECK, True)
    repository.node.add_validation(_ScannerAcknowledgements(repository, cfn, lambda: _policy_of(cfn)))


def _policy_of(cfn: CfnResource) -> object:
    policy = cfn._cfn_properties.get("repositoryPolicyText")  # the L2 keeps it behind a lazy value
    return Stack.of(cfn).resolve(policy) if policy is not None else None


@jsii.implements(IValidation)
class _ScannerAcknowledgements:
    """At synth, after every statement is added: checkov's CKV_AWS_32 accepts a ``*`` principal only with
    ``ForAllValues:StringEquals`` on ``aws:PrincipalOrgID`` (weaker: true when the key is absent), and
    cdk-nag's AwsSolutions-ECR1 flags every ``*`` principal whatever its condition. When every such
    statement is restricted, both findings are false positives and are acknowledged with the reason; when
    one is not, nothing is written and both scanners report it."""

    def __init__(self, repository: IConstruct, cfn: CfnResource, policy: Callable[[], object]) -> None:
        self.repository = repository
        self.cfn = cfn
        self.policy = policy

    def validate(self) -> list[str]:
        if every_star_statement_restricted(self.policy()):
            add_checkov_skip(self.cfn, "CKV_AWS_32", ORG_PULL_REASON)
            Validations.of(self.repository).acknowledge(
                Acknowledgment(id="AwsSolutions::AwsSolutions-ECR1", reason=ORG_PULL_REASON)
            )
        return []
