"""Each rule on rendered resources: compliant, non-compliant and not applicable."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from ecr_patterns import ValidationError
from ecr_patterns.compliance import ALL_RULES, ComplianceConfig, Level, Rule
from ecr_patterns.core.compliance.engine import check_resource, check_templates, registry_scan_filters
from ecr_patterns.core.compliance.model import PRODUCTION_KEY, SUPPRESSIONS_KEY, Outcome, RuleContext, Status
from ecr_patterns.core.compliance.rules import (
    encryption,
    lifecycle_policy,
    open_access,
    production_retention,
    scan_on_push,
    tag_immutability,
)
from ecr_patterns.core.settings import RepositorySettings

VALID_POLICY = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
                "action": {"type": "expire"},
            }
        ]
    }
)


def repo(props: dict[str, Any] | None = None, /, **resource: Any) -> dict[str, Any]:
    return {"Type": "AWS::ECR::Repository", "Properties": props or {}, **resource}


def ctx(**kwargs: Any) -> RuleContext:
    return RuleContext(logical_id="Repo", template={}, **kwargs)


def settings(resource: dict[str, Any], *, auto_delete_images: bool = False) -> RepositorySettings:
    """The repository model the rules judge, read from a template resource."""
    return RepositorySettings.from_template(resource, auto_delete_images=auto_delete_images)


def check(rule: Any, resource: dict[str, Any] | RepositorySettings, context: RuleContext | None = None) -> Outcome:
    model = resource if isinstance(resource, RepositorySettings) else settings(resource)
    outcome: Outcome = rule.check(model, context or ctx())
    return outcome


def status(rule: Any, resource: dict[str, Any] | RepositorySettings, context: RuleContext | None = None) -> Status:
    return check(rule, resource, context).status


C, N, NA = Status.COMPLIANT, Status.NON_COMPLIANT, Status.NOT_APPLICABLE


def test_rule_ids_are_stable_and_unique() -> None:
    assert [r.id for r in ALL_RULES] == [
        "EcrPatterns-ScanOnPush",
        "EcrPatterns-TagImmutability",
        "EcrPatterns-Encryption",
        "EcrPatterns-LifecyclePolicy",
        "EcrPatterns-OpenAccess",
        "EcrPatterns-ProductionRetention",
        "EcrPatterns-ProductionLifecycle",
        "EcrPatterns-PullTimeExclusions",
    ]
    assert all(r.explanation and r.fix for r in ALL_RULES)


def test_scan_on_push() -> None:
    assert status(scan_on_push, repo({"ImageScanningConfiguration": {"ScanOnPush": True}})) is C
    assert status(scan_on_push, repo({"ImageScanningConfiguration": {"ScanOnPush": False}})) is N
    assert status(scan_on_push, repo()) is N


def test_scan_on_push_is_covered_by_a_registry_scanning_filter() -> None:
    named = repo({"RepositoryName": "team/api"})
    assert status(scan_on_push, named, ctx(registry_scan_filters=("team/*",))) is C
    assert status(scan_on_push, named, ctx(registry_scan_filters=("other/*",))) is N
    assert status(scan_on_push, repo(), ctx(registry_scan_filters=("team/*",))) is N  # generated name
    assert status(scan_on_push, repo(), ctx(registry_scan_filters=("*",))) is C


def test_registry_scan_filters_count_only_push_and_continuous_scans() -> None:
    template = {
        "Resources": {
            "Scan": {
                "Type": "AWS::ECR::RegistryScanningConfiguration",
                "Properties": {
                    "ScanType": "ENHANCED",
                    "Rules": [
                        {
                            "ScanFrequency": "CONTINUOUS_SCAN",
                            "RepositoryFilters": [{"Filter": "prod-*", "FilterType": "WILDCARD"}],
                        },
                        {"ScanFrequency": "MANUAL", "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]},
                    ],
                },
            }
        }
    }
    assert registry_scan_filters([template]) == ("prod-*",)


@pytest.mark.parametrize(
    ("mutability", "expected"),
    [("IMMUTABLE", C), ("MUTABLE", N), ("IMMUTABLE_WITH_EXCLUSION", N), ("MUTABLE_WITH_EXCLUSION", N), (None, N)],
)
def test_tag_immutability(mutability: str | None, expected: Status) -> None:
    props = {"ImageTagMutability": mutability} if mutability else {}
    assert status(tag_immutability, repo(props)) is expected


def kms(key: Any = None, kind: str = "KMS") -> dict[str, Any]:
    return repo({"EncryptionConfiguration": {"EncryptionType": kind, **({"KmsKey": key} if key else {})}})


@pytest.mark.parametrize(
    ("resource", "manager", "expected"),
    [
        # Security Hub ECR.5 / AWS Config ecr-repository-cmk-encryption-enabled: "NON_COMPLIANT if the repository is
        # encrypted using AES256 or the default KMS key ('aws/ecr')".
        (kms(), None, N),  # KMS without a key is aws/ecr
        (kms("alias/aws/ecr"), None, N),
        (kms("arn:aws:kms:us-east-1:111111111111:alias/aws/ecr"), None, N),
        (kms({"Fn::GetAtt": ["Key", "Arn"]}), None, C),  # a key of the app
        (kms("arn:aws:kms:us-east-1:111111111111:key/1234"), None, C),
        (kms("arn:aws:kms:us-east-1:111111111111:key/1234"), "AWS", N),  # live: DescribeKey says AWS managed
        (kms("arn:aws:kms:us-east-1:111111111111:key/1234"), "CUSTOMER", C),
        (kms("arn:aws:kms:us-east-1:111111111111:key/1234", "KMS_DSSE"), "CUSTOMER", C),
        (repo({"EncryptionConfiguration": {"EncryptionType": "AES256"}}), None, N),
        (repo(), None, N),  # no encryption configuration is AES256, ECR's default
    ],
)
def test_a_customer_managed_key_requirement_fails_aes256_and_aws_ecr(
    resource: dict[str, Any], manager: str | None, expected: Status
) -> None:
    model = dataclasses.replace(settings(resource), kms_key_manager=manager)
    assert status(encryption, model, ctx(require_customer_managed_key=True)) is expected
    assert status(encryption, model) is C  # without the requirement every encryption passes, ECR's default too


def test_encryption() -> None:
    assert status(encryption, repo({"EncryptionConfiguration": {"EncryptionType": "KMS"}})) is C
    assert status(encryption, repo({"EncryptionConfiguration": {"EncryptionType": "AES256"}})) is C
    assert status(encryption, repo()) is C  # no encryption configuration is AES256 (ECR's default)
    assert (
        status(encryption, repo({"EncryptionConfiguration": {"EncryptionType": "AES256"}}), ctx(require_kms=True)) is N
    )
    assert status(encryption, repo(), ctx(require_kms=True)) is N  # the default AES256 fails the same way
    assert (
        status(encryption, repo({"EncryptionConfiguration": {"EncryptionType": "KMS_DSSE"}}), ctx(require_kms=True))
        is C
    )


def test_lifecycle_policy() -> None:
    assert status(lifecycle_policy, repo({"LifecyclePolicy": {"LifecyclePolicyText": VALID_POLICY}})) is C
    assert status(lifecycle_policy, repo()) is N
    bad = json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 0,
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
                    "action": {"type": "expire"},
                }
            ]
        }
    )
    outcome = check(lifecycle_policy, repo({"LifecyclePolicy": {"LifecyclePolicyText": bad}}))
    assert outcome.status is N
    assert "rulePriority=0" in outcome.message
    token_built = {"LifecyclePolicy": {"LifecyclePolicyText": {"Fn::Join": ["", ["{", {"Ref": "X"}, "}"]]}}}
    assert status(lifecycle_policy, repo(token_built)) is C


def statement(principal: Any, condition: dict[str, Any] | None = None, effect: str = "Allow") -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": effect, "Principal": principal, "Action": ["ecr:BatchGetImage"]}
    if condition:
        st["Condition"] = condition
    return repo({"RepositoryPolicyText": {"Version": "2012-10-17", "Statement": [st]}})


def test_open_access() -> None:
    assert status(open_access, repo()) is NA
    assert status(open_access, statement({"AWS": "arn:aws:iam::111111111111:root"})) is C
    assert status(open_access, statement({"AWS": "*"})) is N
    assert status(open_access, statement("*")) is N
    assert status(open_access, statement({"AWS": "*"}, {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})) is C
    assert status(open_access, statement({"AWS": "*"}, {"StringEquals": {"aws:SourceAccount": "111111111111"}})) is C
    assert status(open_access, statement({"AWS": "*"}, {"StringLike": {"aws:PrincipalOrgID": "o-*"}})) is N
    assert status(open_access, statement({"AWS": "*"}, effect="Deny")) is C
    # One definition of restricted: StringEquals, StringEqualsIgnoreCase or ArnEquals on aws:PrincipalOrgID,
    # aws:PrincipalAccount, aws:SourceAccount or aws:SourceArn.
    org_ignore_case = {"StringEqualsIgnoreCase": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
    assert status(open_access, statement({"AWS": "*"}, org_ignore_case)) is C
    assert status(open_access, statement("*", {"StringEquals": {"aws:PrincipalAccount": "111111111111"}})) is C
    source_arn = {"ArnEquals": {"aws:SourceArn": "arn:aws:codebuild:us-east-1:111111111111:project/p"}}
    assert status(open_access, statement("*", source_arn)) is C
    assert status(open_access, statement("*", {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::1:root"}})) is N
    # NotPrincipal in an Allow statement is everyone but the named principals.
    not_principal = {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "ecr:*"}
    assert status(open_access, repo({"RepositoryPolicyText": {"Statement": [not_principal]}})) is N


def test_open_access_refuses_for_all_values_on_a_single_valued_key() -> None:
    outcome = check(
        open_access, statement({"AWS": "*"}, {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})
    )
    assert outcome.status is N
    assert "true when the key is absent" in outcome.message


def test_production_retention() -> None:
    prod = {"Metadata": {PRODUCTION_KEY: True}}
    retain = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}
    assert status(production_retention, repo(**retain, **prod)) is C
    on_create = repo(DeletionPolicy="RetainExceptOnCreate", UpdateReplacePolicy="Retain", **prod)
    assert status(production_retention, on_create) is C
    # UpdateReplacePolicy takes Delete, Retain or Snapshot only ("UpdateReplacePolicy attribute").
    replaced = repo(DeletionPolicy="Retain", UpdateReplacePolicy="RetainExceptOnCreate", **prod)
    assert status(production_retention, replaced) is N
    assert status(production_retention, repo(DeletionPolicy="Delete", **prod)) is N
    assert status(production_retention, repo(**prod)) is N  # CloudFormation's default is Delete
    assert status(production_retention, repo(DeletionPolicy="Retain", **prod)) is N  # UpdateReplacePolicy: Delete
    assert status(production_retention, repo(DeletionPolicy="Retain", UpdateReplacePolicy="Delete", **prod)) is N
    assert status(production_retention, repo({"EmptyOnDelete": True}, **retain, **prod)) is N
    assert status(production_retention, settings(repo(**retain, **prod), auto_delete_images=True)) is N
    config = ComplianceConfig.build(rules=[production_retention.RULE])
    (finding,) = check_resource("Repo", repo(**retain, **prod), ctx(auto_delete_images=True), config)  # the engine
    assert finding.location == "Custom::ECRAutoDeleteImages"
    assert status(production_retention, repo(DeletionPolicy="Delete")) is NA
    tagged = repo({"Tags": [{"Key": "Environment", "Value": "Production"}]}, DeletionPolicy="Delete")
    assert status(production_retention, tagged) is N


def test_a_rule_that_raises_becomes_a_finding() -> None:
    def broken(model: RepositorySettings, context: RuleContext) -> Outcome:
        raise KeyError("boom")

    config = ComplianceConfig.build(rules=[Rule("Test-Broken", Level.WARNING, "x", "y", broken)])
    (finding,) = check_resource("Repo", repo(), ctx(), config)
    assert (finding.rule_id, finding.level) == ("Test-Broken", Level.ERROR)
    assert "raised KeyError" in finding.message


def test_suppressions_in_metadata_mark_findings_with_their_reason() -> None:
    resource = repo(
        Metadata={SUPPRESSIONS_KEY: [{"id": "EcrPatterns-ScanOnPush", "reason": "scanned by the registry"}]}
    )
    findings = check_resource("Repo", resource, ctx(), ComplianceConfig.build())
    by_id = {f.rule_id: f.suppressed_reason for f in findings}
    assert by_id["EcrPatterns-ScanOnPush"] == "scanned by the registry"
    assert by_id["EcrPatterns-LifecyclePolicy"] is None


def test_levels_can_be_changed_and_are_checked() -> None:
    config = ComplianceConfig.build(levels={"EcrPatterns-TagImmutability": "error"})
    findings = check_templates({"t": {"Resources": {"R": repo({"ImageTagMutability": "MUTABLE"})}}}, config)
    assert {f.rule_id: f.level for f in findings}["EcrPatterns-TagImmutability"] is Level.ERROR
    with pytest.raises(ValidationError, match="unknown rule id"):
        ComplianceConfig.build(levels={"EcrPatterns-Nope": "error"})
    with pytest.raises(ValidationError, match="'error' or 'warning'"):
        ComplianceConfig.build(levels={"EcrPatterns-ScanOnPush": "fatal"})


def test_other_resource_types_are_not_checked() -> None:
    template = {"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "R": repo()}}
    assert {f.logical_id for f in check_templates({"t": template}, ComplianceConfig.build())} == {"R"}
