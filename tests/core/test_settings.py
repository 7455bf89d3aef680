"""One model of a repository: a template and a live repository arrive as the same effective settings, and the
rules judge only that model."""

from __future__ import annotations

from typing import Any

import pytest

from ecr_patterns.core.compliance.engine import ComplianceConfig, check_resource, check_templates
from ecr_patterns.core.compliance.model import RuleContext
from ecr_patterns.core.compliance.rules import open_access
from ecr_patterns.core.presets import DEV, PROD, SECURE, weakenings
from ecr_patterns.core.settings import DeployTime, RepositorySettings

REPO = "AWS::ECR::Repository"


def test_absent_settings_read_as_what_ecr_applies() -> None:
    # ECR API reference, CreateRepository: imageTagMutability defaults to MUTABLE, scanOnPush to false, and the
    # encryption configuration to AES256; CloudFormation's DeletionPolicy and UpdateReplacePolicy default to Delete.
    settings = RepositorySettings.from_template({"Type": REPO, "Properties": {}})
    assert (settings.tag_mutability, settings.scan_on_push, settings.encryption_type) == ("MUTABLE", False, "AES256")
    assert (settings.deletion_policy, settings.update_replace_policy) == ("Delete", "Delete")
    assert settings.retained is False


def test_an_absent_encryption_and_an_explicit_aes256_are_the_same_repository() -> None:
    absent = RepositorySettings.from_template({"Type": REPO, "Properties": {}})
    explicit = RepositorySettings.from_template(
        {"Type": REPO, "Properties": {"EncryptionConfiguration": {"EncryptionType": "AES256"}}}
    )
    live = RepositorySettings.from_live({"repositoryName": "x"}, lifecycle_policy=None, repository_policy=None, tags=[])
    assert absent.encryption_type == explicit.encryption_type == live.encryption_type == "AES256"


@pytest.mark.parametrize("require_kms", [False, True])
def test_the_encryption_rule_gives_a_template_and_a_live_repository_the_same_verdict(require_kms: bool) -> None:
    config = ComplianceConfig.build(require_kms=require_kms)
    ctx = RuleContext("x", {})
    ctx = RuleContext("x", {}, require_kms=require_kms)
    template = check_resource("x", {"Type": REPO, "Properties": {}}, ctx, config)
    live = check_resource(
        "x",
        RepositorySettings.from_live({"repositoryName": "x"}, lifecycle_policy=None, repository_policy=None, tags=[]),
        ctx,
        config,
    )
    encryption = [f for f in template if f.rule_id == "EcrPatterns-Encryption"]
    assert bool(encryption) is require_kms
    assert [f.rule_id for f in template if f.rule_id != "EcrPatterns-ProductionRetention"] == [f.rule_id for f in live]


def test_a_deploy_time_key_is_not_read_as_the_aws_managed_key() -> None:
    settings = RepositorySettings.from_template(
        {
            "Type": REPO,
            "Properties": {
                "EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": {"Fn::GetAtt": ["K", "Arn"]}}
            },
        }
    )
    assert isinstance(settings.kms_key, DeployTime)
    assert not settings.uses_aws_managed_key
    managed = RepositorySettings.from_template(
        {"Type": REPO, "Properties": {"EncryptionConfiguration": {"EncryptionType": "KMS"}}}
    )
    assert managed.uses_aws_managed_key


OPEN: list[tuple[str, dict[str, Any]]] = [
    ("principal *", {"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}),
    ("AWS *", {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "ecr:BatchGetImage"}),
    ("AWS list with *", {"Effect": "Allow", "Principal": {"AWS": ["111111111111", "*"]}, "Action": "ecr:*"}),
    ("NotPrincipal", {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "ecr:*"}),
    (
        "ForAllValues on a single-valued key",
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "ecr:*",
            "Condition": {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        },
    ),
    (
        "StringLike is no restriction",
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "ecr:*",
            "Condition": {"StringLike": {"aws:PrincipalOrgID": "*"}},
        },
    ),
]
CLOSED: list[tuple[str, dict[str, Any]]] = [
    (
        "organization",
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "ecr:BatchGetImage",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        },
    ),
    ("an account", {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "ecr:*"}),
    ("a Deny", {"Effect": "Deny", "Principal": "*", "Action": "ecr:*"}),
]


@pytest.mark.parametrize(("name", "statement"), OPEN)
def test_open_access_finds_every_open_statement(name: str, statement: dict[str, Any]) -> None:
    assert open_access.open_statements({"Statement": [statement]}), name


@pytest.mark.parametrize(("name", "statement"), CLOSED)
def test_open_access_passes_restricted_statements(name: str, statement: dict[str, Any]) -> None:
    assert open_access.open_statements({"Statement": [statement]}) == [], name


@pytest.mark.parametrize(
    ("kind", "key", "as_text"),
    [
        ("AWS::ECR::RegistryPolicy", "PolicyText", False),
        ("AWS::ECR::RepositoryCreationTemplate", "RepositoryPolicy", True),
    ],
)
def test_open_access_reads_registry_policies_and_creation_templates(kind: str, key: str, as_text: bool) -> None:
    import json

    policy: Any = {"Version": "2012-10-17", "Statement": [OPEN[3][1]]}
    template = {"Resources": {"P": {"Type": kind, "Properties": {key: json.dumps(policy) if as_text else policy}}}}
    (finding,) = check_templates({"t": template}, ComplianceConfig())
    assert (finding.rule_id, finding.logical_id) == ("EcrPatterns-OpenAccess", "P")
    assert "NotPrincipal" in finding.message


def test_each_preset_is_no_weakening_of_itself() -> None:
    for preset in (SECURE, DEV, PROD):
        assert weakenings(preset.effective, preset) == [], preset.class_name


def test_a_dev_default_is_a_weakening_of_a_secure_repository() -> None:
    assert {w.rule_id for w in weakenings(DEV.effective, SECURE)} == {
        "EcrPatterns-TagImmutability",
        "EcrPatterns-ProductionRetention",
    }
