"""SecureRepository with the three grant shortcuts: whole accounts, an AWS Organization, and
container-image Lambda functions of an account. DESTROY with ``empty_on_delete``."""

from __future__ import annotations

import aws_cdk as cdk

from ecr_patterns import SecureRepository
from integ.apps import common

APP = "Grants"
REPOSITORY = "grants"
ORGANIZATION = "o-a1b2c3d4e5"


def build(app: cdk.App) -> cdk.Stack:
    stack = common.new_stack(app, APP)
    repository = SecureRepository(
        stack,
        "Repo",
        repository_name=common.name(app, REPOSITORY),
        removal_policy=cdk.RemovalPolicy.DESTROY,
        empty_on_delete=True,
    )
    account = common.account(app)
    repository.grant_pull_to_accounts(account)
    repository.grant_pull_to_organization(ORGANIZATION)
    repository.grant_pull_to_lambda(account, grant_accounts=False)
    return stack


if __name__ == "__main__":
    common.main(build)
