"""cdk-nag's AwsSolutions pack (a validation plugin) reports no ECR errors on our patterns."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks

from ecr_patterns import DevRepository, ProdRepository, SecureRepository

pytestmark = pytest.mark.slow


def nagged_app() -> cdk.App:
    app = cdk.App()
    Validations.of(app).add_plugins(AwsSolutionsChecks())
    return app


def test_patterns_and_their_grants_pass_aws_solutions() -> None:
    app = nagged_app()
    stack = cdk.Stack(app, "Patterns")
    SecureRepository(stack, "Secure")
    DevRepository(stack, "Dev")
    prod = ProdRepository(stack, "Prod")
    prod.grant_pull_to_accounts("111111111111")
    prod.grant_pull_to_organization("o-a1b2c3d4e5")
    prod.grant_lambda_pull("222222222222")
    app.synth()  # raises ValidationFailed on any error


def test_aws_solutions_does_flag_an_open_repository_without_our_acknowledgement() -> None:
    app = nagged_app()
    repo = ecr.Repository(cdk.Stack(app, "Open"), "Repo")
    repo.add_to_resource_policy(
        iam.PolicyStatement(
            actions=["ecr:BatchGetImage"],
            principals=[iam.AnyPrincipal()],
            conditions={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        )
    )
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
