"""RegistryKey: one customer managed key for an account and region's repositories (Security Hub ECR.5), its key
policy, rotation and retention, the patterns that take it, and what a ProdRepository demands of its key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Annotations, Match, Template

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, ValidationError
from ecr_patterns.constructs.registry.key import CREATION_ACTIONS, CREATION_ROLE_ECR_ACTIONS
from ecr_patterns.registry import RegistryKey, RepositoryCreationTemplate

ENV = cdk.Environment(account="111111111111", region="eu-west-1")
ROOT = {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::111111111111:root"]]}}
VIA_ECR = {"Fn::Join": ["", ["ecr.eu-west-1.", {"Ref": "AWS::URLSuffix"}]]}


@pytest.fixture
def env_stack(app: cdk.App) -> cdk.Stack:
    return cdk.Stack(app, "Registry", env=ENV)


def _key(template: Template) -> Mapping[str, Any]:
    (key,) = template.find_resources("AWS::KMS::Key").values()
    return key


def test_the_key_rotates_is_retained_and_its_policy_lets_the_account_use_it_through_iam(env_stack: cdk.Stack) -> None:
    RegistryKey(env_stack, "Key")
    key = _key(Template.from_stack(env_stack))
    assert key["DeletionPolicy"] == "Retain"
    assert key["UpdateReplacePolicy"] == "Retain"
    assert key["Properties"]["EnableKeyRotation"] is True
    # aws-cdk's default key policy, nothing more: CloudFormation's execution role creates ECR's grants through IAM.
    assert key["Properties"]["KeyPolicy"]["Statement"] == [
        {"Action": "kms:*", "Effect": "Allow", "Principal": ROOT, "Resource": "*"}
    ]
    assert "ECR repositories" in key["Properties"]["Description"]


def test_repositories_given_the_key_are_encrypted_with_it(env_stack: cdk.Stack) -> None:
    key = RegistryKey(env_stack, "Key")
    for cls in (SecureRepository, DevRepository, ProdRepository):
        repository = cls(env_stack, cls.__name__, encryption_key=key)
        assert repository.encryption_key is key
    template = Template.from_stack(env_stack)
    key_id = next(iter(template.find_resources("AWS::KMS::Key")))
    repositories = template.find_resources("AWS::ECR::Repository")
    assert len(repositories) == 3
    for resource in repositories.values():
        assert resource["Properties"]["EncryptionConfiguration"] == {
            "EncryptionType": "KMS",
            "KmsKey": {"Fn::GetAtt": [key_id, "Arn"]},
        }


def test_a_pull_grant_adds_no_key_statement_because_pulls_go_through_ecrs_grants(env_stack: cdk.Stack) -> None:
    # User Guide, "Encryption at rest": ECR "adds an AWS KMS grant to the KMS key with the Amazon ECR repository as
    # the grantee principal"; pushes and pulls use that grant, so no puller needs a key permission.
    key = RegistryKey(env_stack, "Key")
    ProdRepository(env_stack, "A", encryption_key=key).grant_pull_to_accounts("222222222222")
    ProdRepository(env_stack, "B", encryption_key=key).grant_pull_to_organization("o-abcdefghij")
    assert len(_key(Template.from_stack(env_stack))["Properties"]["KeyPolicy"]["Statement"]) == 1


def test_allow_pull_from_accounts_asked_for_adds_one_statement_per_account_once(env_stack: cdk.Stack) -> None:
    key = RegistryKey(env_stack, "Key")
    key.allow_pull_from_accounts("222222222222")
    key.allow_pull_from_accounts("222222222222", "333333333333")
    statements = _key(Template.from_stack(env_stack))["Properties"]["KeyPolicy"]["Statement"]
    pulls = statements[1:]
    assert [s["Action"] for s in pulls] == [["kms:Decrypt", "kms:DescribeKey"]] * 2
    assert all(s["Condition"] == {"StringEquals": {"kms:ViaService": VIA_ECR}} for s in pulls)
    principals = [p["AWS"]["Fn::Join"][1][2] for s in pulls for p in [s["Principal"]]]
    assert principals == [":iam::222222222222:root", ":iam::333333333333:root"]


def test_a_repository_with_another_key_leaves_the_registry_key_alone(env_stack: cdk.Stack) -> None:
    RegistryKey(env_stack, "Key")
    ProdRepository(env_stack, "R").grant_pull_to_accounts("222222222222")
    statements = _key(Template.from_stack(env_stack))["Properties"]["KeyPolicy"]["Statement"]
    assert len(statements) == 1


def test_allow_pull_from_organization_asked_for_adds_a_restricted_statement_and_no_scanner_skip(
    env_stack: cdk.Stack,
) -> None:
    key = RegistryKey(env_stack, "Key")
    key.allow_pull_from_organization("o-abcdefghij")
    resource = _key(Template.from_stack(env_stack))
    statement = resource["Properties"]["KeyPolicy"]["Statement"][1]
    assert statement["Principal"] == {"AWS": "*"}
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij", "kms:ViaService": VIA_ECR}}
    assert "Metadata" not in resource  # ecr-patterns writes no checkov skip by itself


def test_a_creation_template_with_the_key_gets_the_documented_creation_role(env_stack: cdk.Stack) -> None:
    key = RegistryKey(env_stack, "Key")
    RepositoryCreationTemplate(env_stack, "Root", prefix="ROOT", encryption_key=key)
    RepositoryCreationTemplate(env_stack, "Team", prefix="team", encryption_key=key)
    template = Template.from_stack(env_stack)
    (role_id,) = template.find_resources("AWS::IAM::Role")
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "ecr.amazonaws.com"}}
                ]
            }
        },
    )
    key_id = next(iter(template.find_resources("AWS::KMS::Key")))
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": [
                    {"Action": list(CREATION_ROLE_ECR_ACTIONS), "Effect": "Allow", "Resource": "*"},
                    {"Action": list(CREATION_ACTIONS), "Effect": "Allow", "Resource": {"Fn::GetAtt": [key_id, "Arn"]}},
                ]
            }
        },
    )
    for created in template.find_resources("AWS::ECR::RepositoryCreationTemplate").values():
        assert created["Properties"]["CustomRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    Annotations.from_stack(env_stack).has_no_warning("*", Match.string_like_regexp("custom_role"))


def test_grant_repository_creation_gives_a_narrow_execution_role_the_key_actions(env_stack: cdk.Stack) -> None:
    key = RegistryKey(env_stack, "Key")
    role = iam.Role(env_stack, "Deployer", assumed_by=iam.ServicePrincipal("cloudformation.amazonaws.com"))
    key.grant_repository_creation(role)
    Template.from_stack(env_stack).has_resource_properties(
        "AWS::IAM::Policy",
        {"PolicyDocument": {"Statement": [Match.object_like({"Action": list(CREATION_ACTIONS)})]}},
    )


def test_one_registry_key_per_account_and_region(app: cdk.App) -> None:
    RegistryKey(cdk.Stack(app, "A", env=ENV), "Key")
    with pytest.raises(ValidationError, match="merge them into one construct") as err:
        RegistryKey(cdk.Stack(app, "B", env=ENV), "Key")
    assert [v.code for v in err.value.violations] == ["registry.duplicate"]
    RegistryKey(cdk.Stack(app, "C", env=cdk.Environment(account="111111111111", region="us-east-1")), "Key")


@pytest.mark.parametrize(
    ("kwargs", "setting"),
    [
        ({"removal_policy": cdk.RemovalPolicy.DESTROY}, "removalPolicy"),
        ({"enable_key_rotation": False}, "enableKeyRotation"),
    ],
)
def test_weakening_the_key_is_warned_by_name(env_stack: cdk.Stack, kwargs: dict[str, Any], setting: str) -> None:
    RegistryKey(env_stack, "Key", **kwargs)
    warnings = Annotations.from_stack(env_stack).find_warning("*", Match.any_value())
    assert [w.entry.data for w in warnings if f"ecr-patterns:{setting}" in str(w.entry.data)]


def test_the_secure_key_is_not_warned(env_stack: cdk.Stack) -> None:
    RegistryKey(env_stack, "Key")
    assert Annotations.from_stack(env_stack).find_warning("*", Match.any_value()) == []


def test_a_prod_repository_refuses_a_key_a_stack_delete_would_schedule_for_deletion(env_stack: cdk.Stack) -> None:
    key = kms.Key(env_stack, "Key", removal_policy=cdk.RemovalPolicy.DESTROY)
    with pytest.raises(ValidationError) as err:
        ProdRepository(env_stack, "R", encryption_key=key)
    (violation,) = err.value.violations
    assert (violation.code, violation.field) == ("repository.production-destroy", "encryption_key")
    assert "removal_policy=RETAIN" in violation.fix


def test_a_prod_repository_takes_a_deleted_key_only_with_allow_destroy(env_stack: cdk.Stack) -> None:
    key = kms.Key(env_stack, "Key", removal_policy=cdk.RemovalPolicy.DESTROY)
    ProdRepository(env_stack, "R", encryption_key=key, allow_destroy=True)
    Template.from_stack(env_stack).resource_count_is("AWS::ECR::Repository", 1)


def test_a_removal_policy_applied_to_the_key_later_fails_the_prod_repository_at_synth(env_stack: cdk.Stack) -> None:
    key = RegistryKey(env_stack, "Key")
    ProdRepository(env_stack, "R", encryption_key=key)
    key.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    with pytest.raises(RuntimeError, match=r"(?s)repository\.production-destroy.*removal_policy=RETAIN"):
        Template.from_stack(env_stack)


def test_a_prod_repository_accepts_an_imported_key(env_stack: cdk.Stack) -> None:
    # This app cannot delete a key it does not define.
    key = kms.Key.from_key_arn(
        env_stack, "Key", "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    ProdRepository(env_stack, "R", encryption_key=key)
    Template.from_stack(env_stack).resource_count_is("AWS::ECR::Repository", 1)


def test_require_customer_managed_key_refuses_a_repository_without_one(env_stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError) as err:
        SecureRepository(env_stack, "R", require_customer_managed_key=True)
    (violation,) = err.value.violations
    assert (violation.code, violation.field) == ("repository.encryption", "encryption_key")
    assert "RegistryKey" in violation.fix
    SecureRepository(env_stack, "Keyed", require_customer_managed_key=True, encryption_key=RegistryKey(env_stack, "K"))


@pytest.mark.parametrize("value", [True, "true", "True"])
def test_the_context_value_makes_every_preset_require_a_key(value: object) -> None:
    app = cdk.App(context={"ecr-patterns:requireCustomerManagedKey": value})
    stack = cdk.Stack(app, "S", env=ENV)
    for cls in (SecureRepository, DevRepository, ProdRepository):
        with pytest.raises(ValidationError, match="customer managed key is required"):
            cls(stack, cls.__name__)
    # The keyword wins over the context value.
    SecureRepository(stack, "Exempt", require_customer_managed_key=False)


@pytest.mark.parametrize("value", [False, "false", None])
def test_without_the_context_value_no_key_is_required(value: object) -> None:
    context = {} if value is None else {"ecr-patterns:requireCustomerManagedKey": value}
    stack = cdk.Stack(cdk.App(context=context), "S")
    SecureRepository(stack, "R")
    Template.from_stack(stack).resource_count_is("AWS::ECR::Repository", 1)
