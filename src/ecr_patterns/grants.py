"""Grant shortcuts for any repository defined in the app (``aws_ecr.Repository`` or ours).

Pull shortcuts grant exactly the three pull actions (``defaults.PULL_ACTIONS``): never push
actions, never ``ecr:*``. Each adds one statement to the repository policy and returns the
``iam.AddToResourcePolicyResult``. An imported repository has no policy to add to: that is a
``ValidationError``, not a silent no-op.
"""

from __future__ import annotations

import re

from aws_cdk import Acknowledgment, Aws, CfnResource, Token, Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam

from ecr_patterns import defaults
from ecr_patterns.errors import ValidationError

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


def _account_ids(account_ids: tuple[str, ...]) -> list[str]:
    if not account_ids:
        raise ValidationError.single("account_ids", account_ids, "give at least one 12-digit AWS account id")
    for account in account_ids:
        if Token.is_unresolved(account):
            continue
        if not isinstance(account, str) or not _ACCOUNT_ID.match(account):
            raise ValidationError.single(
                "account_ids", account, "an AWS account id is exactly 12 digits, as a string: '123456789012'"
            )
    return list(account_ids)


def _sid(prefix: str, *parts: str) -> str | None:
    """A readable statement id unique to what it grants (``None`` when a part is a token)."""
    if any(Token.is_unresolved(p) for p in parts):
        return None
    return prefix + "".join(re.sub(r"[^A-Za-z0-9]", "", p) for p in parts)


def _add(repository: ecr.IRepository, statement: iam.PolicyStatement) -> iam.AddToResourcePolicyResult:
    result = repository.add_to_resource_policy(statement)
    if not result.statement_added:
        raise ValidationError.single(
            "repository",
            repository.node.path,
            "is imported, so this app cannot change its repository policy; grant on the repository where it is defined",
        )
    return result


def grant_pull_to_accounts(repository: ecr.IRepository, *account_ids: str) -> iam.AddToResourcePolicyResult:
    """Let principals of whole AWS accounts pull images (they still need IAM permissions at home).

    :param account_ids: one or more 12-digit account ids.
    """
    accounts = _account_ids(account_ids)
    return _add(
        repository,
        iam.PolicyStatement(
            sid=_sid("PullFromAccounts", *accounts),
            actions=list(defaults.PULL_ACTIONS),
            principals=[iam.AccountPrincipal(a) for a in accounts],
        ),
    )


def grant_pull_to_organization(repository: ecr.IRepository, organization_id: str) -> iam.AddToResourcePolicyResult:
    """Let every principal in an AWS Organization pull images.

    Principal ``*`` restricted with ``StringEquals`` on ``aws:PrincipalOrgID``. Never
    ``ForAllValues:StringEquals``: that operator is true when the key is absent, so a principal
    outside any organization would pass.

    :param organization_id: ``o-`` followed by 10 to 32 lowercase letters or digits.
    """
    if not Token.is_unresolved(organization_id) and (
        not isinstance(organization_id, str) or not _ORG_ID.match(organization_id)
    ):
        raise ValidationError.single(
            "organization_id", organization_id, "an organization id looks like 'o-a1b2c3d4e5' (o- and 10-32 [a-z0-9])"
        )
    result = _add(
        repository,
        iam.PolicyStatement(
            sid=_sid("PullFromOrganization", organization_id),
            actions=list(defaults.PULL_ACTIONS),
            principals=[iam.AnyPrincipal()],
            conditions={"StringEquals": {"aws:PrincipalOrgID": organization_id}},
        ),
    )
    _acknowledge_scanner_false_positives(repository)
    return result


ORG_PULL_REASON = (
    "Principal * is restricted by StringEquals on aws:PrincipalOrgID (ecr-patterns grant_pull_to_organization); "
    "the scanner does not read that condition."
)


def _acknowledge_scanner_false_positives(repository: ecr.IRepository) -> None:
    """Record, on the repository, why two scanners' findings on the organization grant are wrong.

    checkov's CKV_AWS_32 accepts only ``ForAllValues:StringEquals`` on ``aws:PrincipalOrgID``
    (which lets principals outside any organization through) and cdk-nag's AwsSolutions-ECR1
    flags any ``*`` principal whatever its condition. The checkov skip goes into the template
    metadata, the cdk-nag acknowledgement through CDK's own mechanism; both carry the reason.
    """
    cfn = repository.node.default_child
    if isinstance(cfn, CfnResource):
        checkov = cfn.get_metadata("checkov") or {}
        skips = [s for s in checkov.get("skip", []) if s.get("id") != "CKV_AWS_32"]
        skips.append({"id": "CKV_AWS_32", "comment": ORG_PULL_REASON})
        cfn.add_metadata("checkov", {**checkov, "skip": skips})
    Validations.of(repository).acknowledge(Acknowledgment(id="AwsSolutions::AwsSolutions-ECR1", reason=ORG_PULL_REASON))


def grant_lambda_pull(
    repository: ecr.IRepository, *account_ids: str, grant_accounts: bool = True
) -> iam.AddToResourcePolicyResult:
    """Let container-image Lambda functions in other accounts pull images.

    Adds the Lambda service principal, limited with ``aws:sourceArn`` to functions of these
    accounts in the repository's region. As the Lambda developer guide prescribes for
    cross-account images, the accounts themselves also get pull (``CreateFunction`` checks the
    caller's access to the image).

    :param account_ids: one or more 12-digit account ids.
    :param grant_accounts: also grant pull to the accounts' principals. Default ``True``.
    """
    accounts = _account_ids(account_ids)
    if grant_accounts:
        grant_pull_to_accounts(repository, *accounts)
    arns = [f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:{a}:function:*" for a in accounts]
    return _add(
        repository,
        iam.PolicyStatement(
            sid=_sid("LambdaPullFromAccounts", *accounts),
            actions=list(defaults.PULL_ACTIONS),
            principals=[iam.ServicePrincipal("lambda.amazonaws.com")],
            conditions={"StringLike": {"aws:sourceArn": arns}},
        ),
    )
