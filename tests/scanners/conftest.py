"""Synthesize the templates the scanners read, once per session."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam

from ecr_patterns import DevRepository, ProdRepository, SecureRepository
from ecr_patterns.compliance import acknowledge_scanner_findings
from ecr_patterns.registry import RegistryKey, RepositoryCreationTemplate

ORG_REASON = "Every principal-* statement is restricted by StringEquals on aws:PrincipalOrgID (checkov reads none)"


@pytest.fixture(scope="session")
def pattern_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One template per pattern configuration: name -> template path."""
    out = tmp_path_factory.mktemp("cdk.out")
    app = cdk.App(outdir=str(out))
    SecureRepository(cdk.Stack(app, "SecureDefaults"), "Repo")
    ProdRepository(cdk.Stack(app, "ProdDefaults"), "Repo")
    DevRepository(cdk.Stack(app, "DevDefaults"), "Repo")
    granted = ProdRepository(cdk.Stack(app, "ProdWithGrants"), "Repo")
    granted.grant_pull_to_accounts("111111111111")
    granted.grant_pull_to_organization("o-a1b2c3d4e5")
    granted.grant_pull_to_lambda("222222222222")
    # checkov reads only ForAllValues:StringEquals on aws:PrincipalOrgID: the user acknowledges it, with the reason.
    acknowledge_scanner_findings(granted, checks=["CKV_AWS_32"], reason=ORG_REASON)
    # The organization grant, then a statement that opens the repository to everyone: nothing may hide it.
    opened = ProdRepository(cdk.Stack(app, "OrgGrantThenOpened"), "Repo")
    opened.grant_pull_to_organization("o-a1b2c3d4e5")
    opened.add_to_resource_policy(iam.PolicyStatement(actions=["ecr:*"], principals=[iam.AnyPrincipal()]))
    # One RegistryKey for the account's repositories, pulled from another account and the organization.
    keyed = cdk.Stack(app, "ProdWithRegistryKey", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    key = RegistryKey(keyed, "Key")
    keyed_repository = ProdRepository(keyed, "Repo", encryption_key=key)
    keyed_repository.grant_pull_to_accounts("222222222222")
    keyed_repository.grant_pull_to_organization("o-a1b2c3d4e5")
    RepositoryCreationTemplate(keyed, "Template", prefix="ROOT", encryption_key=key)
    app.synth()
    return {p.name.split(".")[0]: p for p in out.glob("*.template.json")}
