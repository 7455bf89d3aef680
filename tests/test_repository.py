"""SecureRepository: every secure default, every override and its warning, encryption variants."""

from __future__ import annotations

import inspect
import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Match, Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecr_patterns import SecureRepository, ValidationError
from ecr_patterns import lifecycle as lc
from ecr_patterns.core import defaults

REPO = "AWS::ECR::Repository"


def lifecycle_rules_of(stack: cdk.Stack) -> list[dict[str, Any]]:
    (repo,) = Template.from_stack(stack).find_resources(REPO).values()
    rules: list[dict[str, Any]] = json.loads(repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    return rules


from tests.patterns import has_warning, warning_ids  # noqa: E402

# -- defaults ----------------------------------------------------------------------------


def test_defaults_scan_on_push(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo")
    Template.from_stack(stack).has_resource_properties(REPO, {"ImageScanningConfiguration": {"ScanOnPush": True}})


def test_defaults_to_immutable_tags(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo")
    Template.from_stack(stack).has_resource_properties(REPO, {"ImageTagMutability": "IMMUTABLE"})


def test_defaults_to_kms_with_the_aws_managed_key(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo")
    Template.from_stack(stack).has_resource_properties(
        REPO, {"EncryptionConfiguration": {"EncryptionType": "KMS", "KmsKey": Match.absent()}}
    )


def test_defaults_to_a_lifecycle_policy_that_expires_untagged_and_caps_the_count(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo")
    assert lifecycle_rules_of(stack) == [
        {
            "rulePriority": 1,
            "description": "Expire untagged images 14 days after push",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": "Keep the last 1000 images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1000},
            "action": {"type": "expire"},
        },
    ]


def test_defaults_to_retain_without_emptying(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo")
    template = Template.from_stack(stack)
    template.has_resource(REPO, {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    template.has_resource_properties(REPO, {"EmptyOnDelete": Match.absent()})


def test_defaults_add_no_warning(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo")
    assert warning_ids(stack) == []


def test_docstring_states_each_default_the_code_applies() -> None:
    doc = inspect.getdoc(SecureRepository) or ""
    params = [p for p in inspect.signature(SecureRepository.__init__).parameters if p not in ("self", "scope", "id")]
    for name in params:
        if name != "kwargs":
            assert f":param {name}:" in doc, name
    flat = " ".join(doc.split())
    assert (
        f"untagged images expire after {defaults.UNTAGGED_EXPIRY_DAYS} days, "
        f"keep the last {defaults.MAX_IMAGE_COUNT:,} images" in flat
    )
    assert "Default ``True``" in doc.split(":param image_scan_on_push:")[1].split(":param")[0]


# -- overrides and their warnings ----------------------------------------------------------


def test_scan_off_is_written_and_warned(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", image_scan_on_push=False)
    Template.from_stack(stack).has_resource_properties(REPO, {"ImageScanningConfiguration": {"ScanOnPush": False}})
    assert has_warning(stack, "Repo", ".*secure default image_scan_on_push=True.*")


def test_mutable_tags_are_written_and_warned(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", image_tag_mutability=ecr.TagMutability.MUTABLE)
    Template.from_stack(stack).has_resource_properties(REPO, {"ImageTagMutability": "MUTABLE"})
    assert warning_ids(stack) == ["ecr-patterns:imageTagMutability"]


def test_exclusion_filters_alone_select_immutable_with_exclusion(stack: cdk.Stack) -> None:
    SecureRepository(
        stack, "Repo", image_tag_mutability_exclusion_filters=[ecr.ImageTagMutabilityExclusionFilter.wildcard("latest")]
    )
    Template.from_stack(stack).has_resource_properties(
        REPO,
        {
            "ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION",
            "ImageTagMutabilityExclusionFilters": [
                {
                    "ImageTagMutabilityExclusionFilterType": "WILDCARD",
                    "ImageTagMutabilityExclusionFilterValue": "latest",
                }
            ],
        },
    )
    assert has_warning(stack, "Repo", ".*default IMMUTABLE.*")


def test_aes256_is_written_out_and_warned(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", encryption=ecr.RepositoryEncryption.AES_256)
    Template.from_stack(stack).has_resource_properties(REPO, {"EncryptionConfiguration": {"EncryptionType": "AES256"}})
    assert warning_ids(stack) == ["ecr-patterns:encryption"]


def test_customer_key_is_used_with_kms(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key")
    SecureRepository(stack, "Repo", encryption_key=key)
    cfn_key = key.node.default_child
    assert isinstance(cfn_key, kms.CfnKey)
    Template.from_stack(stack).has_resource_properties(
        REPO,
        {
            "EncryptionConfiguration": {
                "EncryptionType": "KMS",
                "KmsKey": {"Fn::GetAtt": [stack.resolve(cfn_key.logical_id), "Arn"]},
            }
        },
    )
    assert warning_ids(stack) == []


def test_kms_dsse_works_although_the_l2_rejects_it(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", encryption=ecr.RepositoryEncryption.KMS_DSSE)
    Template.from_stack(stack).has_resource_properties(
        REPO, {"EncryptionConfiguration": {"EncryptionType": "KMS_DSSE", "KmsKey": Match.absent()}}
    )


def test_kms_dsse_with_a_customer_key(stack: cdk.Stack) -> None:
    key = kms.Key(stack, "Key")
    SecureRepository(stack, "Repo", encryption=ecr.RepositoryEncryption.KMS_DSSE, encryption_key=key)
    Template.from_stack(stack).has_resource_properties(
        REPO,
        {
            "EncryptionConfiguration": {
                "EncryptionType": "KMS_DSSE",
                "KmsKey": {"Fn::GetAtt": [Match.any_value(), "Arn"]},
            }
        },
    )


def test_fails_when_aes256_is_given_a_key(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError, match=r"encryption='AES256'.*remove the key"):
        SecureRepository(stack, "Repo", encryption=ecr.RepositoryEncryption.AES_256, encryption_key=kms.Key(stack, "K"))


def test_destroy_and_empty_on_delete_are_written_and_warned(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", removal_policy=cdk.RemovalPolicy.DESTROY, empty_on_delete=True)
    template = Template.from_stack(stack)
    template.has_resource(REPO, {"DeletionPolicy": "Delete", "Properties": Match.object_like({"EmptyOnDelete": True})})
    assert sorted(warning_ids(stack)) == ["ecr-patterns:emptyOnDelete", "ecr-patterns:removalPolicy"]


def test_auto_delete_images_is_warned_towards_empty_on_delete(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", removal_policy=cdk.RemovalPolicy.DESTROY, auto_delete_images=True)
    assert has_warning(stack, "Repo", ".*prefer empty_on_delete.*")


def test_an_empty_rule_list_removes_the_policy_with_a_warning(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", lifecycle_rules=[])
    Template.from_stack(stack).has_resource_properties(REPO, {"LifecyclePolicy": Match.absent()})
    assert has_warning(stack, "Repo", ".*images are kept forever.*")


def test_other_repository_props_pass_through(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", repository_name="team/app", lifecycle_registry_id="123456789012")
    Template.from_stack(stack).has_resource_properties(
        REPO, {"RepositoryName": "team/app", "LifecyclePolicy": Match.object_like({"RegistryId": "123456789012"})}
    )


# -- lifecycle -----------------------------------------------------------------------------


def test_user_rules_replace_the_default_policy(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo", lifecycle_rules=[lc.keep_last_n_images(5)])
    assert [r["selection"] for r in lifecycle_rules_of(stack)] == [
        {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5}
    ]


def test_rules_added_later_reach_the_template_and_the_any_rule_stays_last(stack: cdk.Stack) -> None:
    repo = SecureRepository(stack, "Repo", lifecycle_rules=[lc.keep_last_n_images(5)])
    repo.add_lifecycle_rule(lc.delete_untagged_after_days(2))
    rules = lifecycle_rules_of(stack)
    assert [(r["rulePriority"], r["selection"]["tagStatus"]) for r in rules] == [(1, "untagged"), (2, "any")]


def test_fails_when_two_any_rules(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError, match="lifecycle_rules"):
        SecureRepository(stack, "Repo", lifecycle_rules=[lc.keep_last_n_images(5), lc.keep_last_n_images(9)])


def test_fails_when_a_rule_added_later_makes_the_policy_invalid_and_keeps_the_old_policy(stack: cdk.Stack) -> None:
    repo = SecureRepository(stack, "Repo", lifecycle_rules=[lc.delete_untagged_after_days(3), lc.keep_last_n_images(9)])
    with pytest.raises(ValidationError, match="TestStack/Repo") as raised:
        repo.add_lifecycle_rule(lc.delete_untagged_after_days(5))  # a second untagged rule
    assert raised.value.codes == ["lifecycle.overlap"]
    assert len(lifecycle_rules_of(stack)) == 2


def test_fails_when_the_any_rule_does_not_have_the_highest_priority(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError, match="rulePriority"):
        SecureRepository(
            stack,
            "Repo",
            lifecycle_rules=[
                lc.keep_last_n_images(5, rule_priority=1),
                lc.delete_untagged_after_days(2, rule_priority=2),
            ],
        )


def test_archive_rules_share_one_policy_and_numbering_with_l2_rules(stack: cdk.Stack) -> None:
    repo = SecureRepository(stack, "Repo")
    repo.add_lifecycle_policy_rule(
        *lc.default_policy_rules(),  # the documented way to keep the default policy and extend it
        lc.archive_images_not_pulled_for_days(60, tag_prefixes=["release"]),
        lc.delete_archived_images_after_days(180),
    )
    rules = lifecycle_rules_of(stack)
    assert [r["rulePriority"] for r in rules] == [1, 2, 3, 4]
    assert rules[-1]["selection"]["tagStatus"] == "any"
    assert {r["action"]["type"] for r in rules} == {"expire", "transition"}
    assert repo.lifecycle_policy.to_json()["rules"] == rules


def test_a_token_count_is_rendered_and_left_to_cloudformation(stack: cdk.Stack) -> None:
    count = cdk.CfnParameter(stack, "Keep", type="Number").value_as_number
    SecureRepository(stack, "Repo", lifecycle_rules=[ecr.LifecycleRule(max_image_count=count)])
    (repo,) = Template.from_stack(stack).find_resources(REPO).values()
    text = repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert "Fn::Join" in text
    assert {"Ref": "Keep"} in text["Fn::Join"][1]


# -- property: a warning for exactly the weakened defaults ----------------------------------

MUTABILITIES = list(ecr.TagMutability)
ENCRYPTIONS = [None, ecr.RepositoryEncryption.KMS, ecr.RepositoryEncryption.KMS_DSSE, ecr.RepositoryEncryption.AES_256]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    scan=st.sampled_from([None, True, False]),
    mutability=st.sampled_from([None, *MUTABILITIES]),
    encryption=st.sampled_from(ENCRYPTIONS),
    destroy=st.booleans(),
    empty=st.booleans(),
)
def test_warns_for_exactly_the_weakened_defaults(
    scan: bool | None,
    mutability: ecr.TagMutability | None,
    encryption: ecr.RepositoryEncryption | None,
    destroy: bool,
    empty: bool,
) -> None:
    stack = cdk.Stack(cdk.App(), "TestStack")
    filters = (
        [ecr.ImageTagMutabilityExclusionFilter.wildcard("latest")]
        if mutability in (ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION, ecr.TagMutability.MUTABLE_WITH_EXCLUSION)
        else None
    )
    SecureRepository(
        stack,
        "Repo",
        image_scan_on_push=scan,
        image_tag_mutability=mutability,
        image_tag_mutability_exclusion_filters=filters,
        encryption=encryption,
        removal_policy=cdk.RemovalPolicy.DESTROY if destroy else None,
        empty_on_delete=(empty and destroy) or None,
    )
    expected = set()
    if scan is False:
        expected.add("ecr-patterns:imageScanOnPush")
    if mutability not in (None, ecr.TagMutability.IMMUTABLE):
        expected.add("ecr-patterns:imageTagMutability")
    if encryption is not None and encryption.value == "AES256":  # jsii proxies: compare by value
        expected.add("ecr-patterns:encryption")
    if destroy:
        expected.add("ecr-patterns:removalPolicy")
    if empty and destroy:
        expected.add("ecr-patterns:emptyOnDelete")
    assert set(warning_ids(stack)) == expected
    (repo,) = Template.from_stack(stack).find_resources(REPO).values()
    written = repo["Properties"]["EncryptionConfiguration"]["EncryptionType"]
    assert written == ("KMS" if encryption is None else encryption.value)


def test_the_python_model_matches_the_rendered_policy_for_construction_time_rules(stack: cdk.Stack) -> None:
    # Rules given at construction are rendered by the L2 (no call into Node); the model must agree.
    repo = SecureRepository(
        stack,
        "Repo",
        lifecycle_rules=[lc.keep_tagged_images("prod", 5), lc.delete_untagged_after_days(3), lc.keep_last_n_images(50)],
    )
    assert repo.lifecycle_policy.to_json()["rules"] == lifecycle_rules_of(stack)


def test_the_lifecycle_policy_prints_as_the_policy_json_in_the_template(stack: cdk.Stack) -> None:
    repo = SecureRepository(stack, "Repo")
    (rendered,) = Template.from_stack(stack).find_resources(REPO).values()
    text = rendered["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert str(repo.lifecycle_policy) == repo.lifecycle_policy.to_text() == text
    assert json.loads(str(repo.lifecycle_policy))["rules"][0]["rulePriority"] == 1
