"""An app checked by cdk-nag's AwsSolutions pack, run with the scanners' own Python
(``tests/scanners/test_cdk_nag.py``): ``python nag_app.py SCENARIO`` exits 0 when cdk-nag passes it."""

from __future__ import annotations

import sys

import aws_cdk as cdk
from aws_cdk import Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from cdk_nag import AwsSolutionsChecks

from ecr_patterns import DevRepository, ProdRepository, SecureRepository
from ecr_patterns.compliance import acknowledge_scanner_findings
from ecr_patterns.registry import RegistryKey, RepositoryCreationTemplate

ORG_REASON = "Every principal-* statement is restricted by StringEquals on aws:PrincipalOrgID"
CREATION_REASON = "The ECR User Guide's creation-template role policy: repository names are not known at deploy time"


def patterns(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Secure")
    DevRepository(stack, "Dev")
    prod = ProdRepository(stack, "Prod")
    prod.grant_pull_to_accounts("111111111111")
    prod.grant_pull_to_organization("o-a1b2c3d4e5")
    prod.grant_pull_to_lambda("222222222222")
    key = RegistryKey(stack, "Key")
    keyed = ProdRepository(stack, "Keyed", encryption_key=key)
    keyed.grant_pull_to_accounts("111111111111")
    keyed.grant_pull_to_organization("o-a1b2c3d4e5")
    RepositoryCreationTemplate(stack, "Template", prefix="ROOT", encryption_key=key)
    # cdk-nag flags every principal *, restricted or not: the user acknowledges it, with the reason.
    for repository in (prod, keyed):
        acknowledge_scanner_findings(repository, checks=["AwsSolutions-ECR1"], reason=ORG_REASON)
    acknowledge_scanner_findings(
        key.repository_creation_role, checks=["AwsSolutions-IAM5[Resource::*]"], reason=CREATION_REASON
    )


def org_grant_then_opened(stack: cdk.Stack) -> None:
    prod = ProdRepository(stack, "Prod")
    prod.grant_pull_to_organization("o-a1b2c3d4e5")
    prod.add_to_resource_policy(iam.PolicyStatement(actions=["ecr:*"], principals=[iam.AnyPrincipal()]))


def plain_with_org_condition(stack: cdk.Stack) -> None:
    repo = ecr.Repository(stack, "Repo")
    repo.add_to_resource_policy(
        iam.PolicyStatement(
            actions=["ecr:BatchGetImage"],
            principals=[iam.AnyPrincipal()],
            conditions={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        )
    )


SCENARIOS = {f.__name__: f for f in (patterns, org_grant_then_opened, plain_with_org_condition)}

if __name__ == "__main__":
    app = cdk.App(outdir=sys.argv[2] if len(sys.argv) > 2 else None)
    Validations.of(app).add_plugins(AwsSolutionsChecks())
    SCENARIOS[sys.argv[1]](cdk.Stack(app, "Nagged"))
    app.synth()  # raises ValidationFailed (exit 1) on any AwsSolutions error
