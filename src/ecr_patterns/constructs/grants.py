"""Grant shortcuts for any repository defined in the app (``aws_ecr.Repository`` or ours).

Each is built on aws-cdk's own grant primitive, ``repository.grant(grantee, *actions)``, and returns its
``iam.Grant``. Pull shortcuts grant exactly the three pull actions (``defaults.PULL_ACTIONS``): never
push actions, never ``ecr:*``. An imported repository has no policy to add to: that is a
``ValidationError``, not a silent no-op.

No shortcut touches a key policy: pulls of a KMS-encrypted repository go through the grants ECR creates for the
repository itself (User Guide, "Encryption at rest": ECR "adds an AWS KMS grant to the KMS key with the Amazon ECR
repository as the grantee principal"), so a puller needs no key permission. No shortcut writes a scanner's
suppression either: :func:`ecr_patterns.constructs.scanners.acknowledge_scanner_findings` does, when you ask, with your
reason.
"""

from __future__ import annotations

import warnings

from aws_cdk import Aws, CfnResource, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam

from ecr_patterns.constructs._checks import check_bool
from ecr_patterns.core import defaults
from ecr_patterns.core.errors import Code, Problems, ValidationError
from ecr_patterns.core.identifiers import ACCOUNT_ID, ORGANIZATION_ID


def _account_ids(account_ids: tuple[str, ...], problems: Problems) -> list[str]:
    if not account_ids:
        problems.add("account_ids", account_ids, "give at least one 12-digit AWS account id", code=Code.GRANT_ACCOUNT)
    for account in account_ids:
        if isinstance(account, str) and Token.is_unresolved(account):
            continue
        if not isinstance(account, str) or not ACCOUNT_ID.fullmatch(account):
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
    return _pull(repository, principals[0] if len(principals) == 1 else iam.CompositePrincipal(*principals))


def grant_pull_to_organization(repository: ecr.IRepository, organization_id: str) -> iam.Grant:
    """Let every principal in an AWS Organization pull images.

    ``iam.OrganizationPrincipal``: principal ``*`` restricted with ``StringEquals`` on
    ``aws:PrincipalOrgID``. Never ``ForAllValues:StringEquals``: that operator is true when the key is
    absent, so a principal outside any organization would pass.

    :param organization_id: ``o-`` followed by 10 to 32 lowercase letters or digits.
    """
    if not (isinstance(organization_id, str) and Token.is_unresolved(organization_id)) and (
        not isinstance(organization_id, str) or not ORGANIZATION_ID.fullmatch(organization_id)
    ):
        raise ValidationError.single(
            "organization_id",
            organization_id,
            "an organization id looks like 'o-a1b2c3d4e5' (o- and 10-32 [a-z0-9])",
            code=Code.GRANT_ORGANIZATION,
            context=repository.node.path,
        )
    return _pull(repository, iam.OrganizationPrincipal(organization_id))


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
    check_bool(problems, "grant_accounts", grant_accounts, code=Code.GRANT_ACCOUNT)
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
