"""DevRepository and ProdRepository: their defaults, and Prod's refusal to lose images."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Annotations, Match, Template

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, ValidationError

REPO = "AWS::ECR::Repository"


def rules_of(stack: cdk.Stack) -> list[tuple[str, str, int]]:
    (repo,) = Template.from_stack(stack).find_resources(REPO).values()
    rules = json.loads(repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    return [(r["selection"]["tagStatus"], r["selection"]["countType"], r["selection"]["countNumber"]) for r in rules]


def test_presets_are_secure_repositories(stack: cdk.Stack) -> None:
    assert isinstance(DevRepository(stack, "Dev"), SecureRepository)
    assert isinstance(ProdRepository(stack, "Prod"), ecr.Repository)


def test_dev_allows_mutable_tags_and_is_deleted_with_its_images(stack: cdk.Stack) -> None:
    DevRepository(stack, "Dev")
    Template.from_stack(stack).has_resource(
        REPO,
        {
            "DeletionPolicy": "Delete",
            "Properties": Match.object_like(
                {
                    "ImageTagMutability": "MUTABLE",
                    "EmptyOnDelete": True,
                    "ImageScanningConfiguration": {"ScanOnPush": True},
                    "EncryptionConfiguration": {"EncryptionType": "KMS"},
                }
            ),
        },
    )


def test_dev_expires_untagged_after_7_days_and_keeps_10(stack: cdk.Stack) -> None:
    DevRepository(stack, "Dev")
    assert rules_of(stack) == [("untagged", "sinceImagePushed", 7), ("any", "imageCountMoreThan", 10)]


def test_dev_preset_choices_are_not_warned_but_a_scan_override_is(stack: cdk.Stack) -> None:
    DevRepository(stack, "Dev")
    DevRepository(stack, "Unscanned", image_scan_on_push=False)
    found = Annotations.from_stack(stack).find_warning("*", Match.any_value())
    assert [m.id for m in found] == ["/TestStack/Unscanned"]


def test_dev_can_be_made_immutable_without_a_warning(stack: cdk.Stack) -> None:
    DevRepository(stack, "Dev", image_tag_mutability=ecr.TagMutability.IMMUTABLE)
    Template.from_stack(stack).has_resource_properties(REPO, {"ImageTagMutability": "IMMUTABLE"})
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_prod_is_immutable_retained_and_expires_untagged_after_14_days_keeping_30(stack: cdk.Stack) -> None:
    ProdRepository(stack, "Prod")
    template = Template.from_stack(stack)
    template.has_resource(
        REPO,
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": Match.object_like({"ImageTagMutability": "IMMUTABLE", "EmptyOnDelete": Match.absent()}),
        },
    )
    assert rules_of(stack) == [("untagged", "sinceImagePushed", 14), ("any", "imageCountMoreThan", 30)]


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({"removal_policy": cdk.RemovalPolicy.DESTROY}, "removal_policy"),
        ({"removal_policy": cdk.RemovalPolicy.DESTROY, "empty_on_delete": True}, "empty_on_delete"),
        ({"removal_policy": cdk.RemovalPolicy.DESTROY, "auto_delete_images": True}, "auto_delete_images"),
    ],
)
def test_prod_fails_when_asked_to_delete_images_without_opt_in(stack: cdk.Stack, props: dict, field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field}=.*allow_destroy=True"):
        ProdRepository(stack, "Prod", **props)
    assert Template.from_stack(stack).find_resources(REPO) == {}


def test_prod_destroy_with_explicit_opt_in_is_warned(stack: cdk.Stack) -> None:
    ProdRepository(stack, "Prod", removal_policy=cdk.RemovalPolicy.DESTROY, empty_on_delete=True, allow_destroy=True)
    Template.from_stack(stack).has_resource(REPO, {"DeletionPolicy": "Delete"})
    Annotations.from_stack(stack).has_warning("/TestStack/Prod", Match.string_like_regexp(".*secure default RETAIN.*"))
    Annotations.from_stack(stack).has_warning("/TestStack/Prod", Match.string_like_regexp(".*secure default False.*"))


def test_prod_apply_removal_policy_destroy_needs_the_same_opt_in(stack: cdk.Stack) -> None:
    prod = ProdRepository(stack, "Prod")
    with pytest.raises(ValidationError, match=r"TestStack/Prod.*removal_policy='DESTROY'.*allow_destroy=True"):
        prod.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    opted = ProdRepository(stack, "Opted", allow_destroy=True)
    opted.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    resources = Template.from_stack(stack).find_resources(REPO)
    assert {r["DeletionPolicy"] for r in resources.values()} == {"Retain", "Delete"}
