"""Grant shortcuts: exact statements, only pull actions, input validation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template

from ecr_patterns import SecureRepository, ValidationError, grants
from ecr_patterns.core import defaults

REPO = "AWS::ECR::Repository"
PULL = list(defaults.PULL_ACTIONS)


def statements(stack: cdk.Stack) -> list[dict[str, Any]]:
    (repo,) = Template.from_stack(stack).find_resources(REPO).values()
    found: list[dict[str, Any]] = repo["Properties"]["RepositoryPolicyText"]["Statement"]
    return found


def test_pull_to_accounts_grants_the_three_pull_actions_to_each_account(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo").grant_pull_to_accounts("111111111111", "222222222222")
    (st,) = statements(stack)
    assert st["Action"] == PULL
    assert st["Effect"] == "Allow"
    principals = json.dumps(st["Principal"]["AWS"])
    assert ":iam::111111111111:root" in principals
    assert ":iam::222222222222:root" in principals


def test_pull_to_organization_uses_string_equals_never_for_all_values(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo").grant_pull_to_organization("o-a1b2c3d4e5")
    Template.from_stack(stack).has_resource_properties(
        REPO,
        {
            "RepositoryPolicyText": {
                "Statement": [
                    Match.object_like(
                        {
                            "Action": PULL,
                            "Principal": {"AWS": "*"},
                            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
                        }
                    )
                ]
            }
        },
    )
    assert "ForAllValues" not in json.dumps(statements(stack))


def test_lambda_pull_limits_the_service_principal_to_functions_of_the_accounts(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo").grant_pull_to_lambda("333333333333")
    account_stmt, lambda_stmt = statements(stack)
    assert account_stmt["Action"] == PULL
    assert lambda_stmt["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert lambda_stmt["Action"] == PULL
    (arn,) = lambda_stmt["Condition"]["StringLike"]["aws:sourceArn"]
    parts = arn["Fn::Join"][1]
    assert parts[0] == "arn:"
    assert parts[-1] == ":333333333333:function:*"


def test_lambda_pull_can_leave_out_the_account_principal(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo").grant_pull_to_lambda("333333333333", grant_accounts=False)
    (st,) = statements(stack)
    assert st["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_grants_work_on_a_plain_repository(stack: cdk.Stack) -> None:
    grants.grant_pull_to_accounts(ecr.Repository(stack, "Repo"), "111111111111")
    assert statements(stack)[0]["Action"] == PULL


def test_no_grant_gives_push_or_wildcard_actions(stack: cdk.Stack) -> None:
    repo = SecureRepository(stack, "Repo")
    repo.grant_pull_to_accounts("111111111111")
    repo.grant_pull_to_organization("o-a1b2c3d4e5")
    repo.grant_pull_to_lambda("333333333333")
    actions = {a for st in statements(stack) for a in st["Action"]}
    assert actions == set(PULL)


@pytest.mark.parametrize(
    ("grant", "statement_count"),
    [
        (lambda r: r.grant_pull_to_accounts("111111111111", "222222222222"), 1),
        (lambda r: r.grant_pull_to_organization("o-a1b2c3d4e5"), 1),
        (lambda r: r.grant_pull_to_lambda("333333333333"), 2),
        (lambda r: grants.grant_pull_to_accounts(r, "111111111111"), 1),
    ],
)
def test_every_grant_returns_the_iam_grant_of_aws_cdks_primitive(
    stack: cdk.Stack, grant: Callable[[SecureRepository], object], statement_count: int
) -> None:
    result = grant(SecureRepository(stack, "Repo"))
    assert isinstance(result, iam.Grant)
    assert result.success
    assert len(statements(stack)) == statement_count


def test_the_old_lambda_grant_name_still_works_and_says_it_is_deprecated(stack: cdk.Stack) -> None:
    with pytest.warns(DeprecationWarning, match="grant_pull_to_lambda"):
        grants.grant_lambda_pull(SecureRepository(stack, "Repo"), "333333333333")
    assert len(statements(stack)) == 2


def test_errors_name_the_construct_path_and_carry_a_stable_code(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError) as raised:
        SecureRepository(stack, "Repo").grant_pull_to_accounts("1", "2")
    assert raised.value.context == "TestStack/Repo"
    assert raised.value.codes == ["grant.account", "grant.account"]  # every problem, in one error


@pytest.mark.parametrize("bad", ["12345678901", "1234567890123", "12345678901a", 123456789012, ""])
def test_fails_when_an_account_id_is_not_12_digits(stack: cdk.Stack, bad: object) -> None:
    with pytest.raises(ValidationError, match=r"account_ids=.*exactly 12 digits"):
        SecureRepository(stack, "Repo").grant_pull_to_accounts(bad)  # type: ignore[arg-type]


def test_fails_when_no_account_is_given(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError, match="at least one"):
        SecureRepository(stack, "Repo").grant_pull_to_lambda()


@pytest.mark.parametrize("bad", ["o-short", "org-a1b2c3d4e5", "O-A1B2C3D4E5", "a1b2c3d4e5"])
def test_fails_when_an_organization_id_is_malformed(stack: cdk.Stack, bad: str) -> None:
    with pytest.raises(ValidationError, match=r"organization_id="):
        SecureRepository(stack, "Repo").grant_pull_to_organization(bad)


def test_a_token_account_id_is_accepted(stack: cdk.Stack) -> None:
    account = cdk.CfnParameter(stack, "Account").value_as_string
    SecureRepository(stack, "Repo").grant_pull_to_accounts(account)
    (st,) = statements(stack)
    assert st["Principal"] == {
        "AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "Account"}, ":root"]]}
    }


def test_fails_on_an_imported_repository(stack: cdk.Stack) -> None:
    imported = ecr.Repository.from_repository_name(stack, "Imported", "team/app")
    with pytest.raises(ValidationError, match="is imported"):
        grants.grant_pull_to_accounts(imported, "111111111111")


def test_the_old_method_name_on_the_pattern_warns_too(stack: cdk.Stack) -> None:
    with pytest.warns(DeprecationWarning, match="grant_pull_to_lambda"):
        SecureRepository(stack, "Repo").grant_lambda_pull("333333333333")
