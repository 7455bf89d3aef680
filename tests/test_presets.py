"""DevRepository and ProdRepository: their defaults, and Prod's refusal to lose images."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Annotations, Match, Template

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, ValidationError
from ecr_patterns.constructs._app_state import app_state
from tests.patterns import has_warning, pattern_findings

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
    found = pattern_findings(stack)
    assert [(f.logical_id.startswith("Unscanned"), f.setting) for f in found] == [
        (True, "ecr-patterns:imageScanOnPush")
    ]


def test_dev_can_be_made_immutable_without_a_warning(stack: cdk.Stack) -> None:
    DevRepository(stack, "Dev", image_tag_mutability=ecr.TagMutability.IMMUTABLE)
    Template.from_stack(stack).has_resource_properties(REPO, {"ImageTagMutability": "IMMUTABLE"})
    assert pattern_findings(stack) == []


def test_prod_is_immutable_retained_and_archives_untagged_after_14_days_and_all_but_the_newest_30(
    stack: cdk.Stack,
) -> None:
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
    (repo,) = template.find_resources(REPO).values()
    rules = json.loads(repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    # Never deletes: both rules move images to the restorable archive storage class.
    assert [r["action"] for r in rules] == [{"type": "transition", "targetStorageClass": "archive"}] * 2
    assert {r["selection"]["storageClass"] for r in rules} == {"standard"}


def test_prods_default_policy_never_expires_an_image_in_a_preview_of_many_pushes(stack: cdk.Stack) -> None:
    from ecr_patterns.lifecycle import preview_lifecycle_policy

    prod = ProdRepository(stack, "Prod")
    images = [
        {
            "imageDigest": f"sha256:{i:064x}",
            "imageTags": [f"v{i}"],
            "imagePushedAt": f"2026-01-{1 + i % 28:02d}T00:00:00Z",
        }
        for i in range(200)
    ] + [{"imageDigest": f"sha256:{1000 + i:064x}", "imagePushedAt": "2026-01-01T00:00:00Z"} for i in range(20)]
    result = preview_lifecycle_policy(prod.lifecycle_policy, images, now="2026-12-01T00:00:00Z")
    assert result["summary"]["expiringImageTotalCount"] == 0
    assert sum(t["imageTotalCount"] for t in result["summary"]["transitioningImageTotalCounts"]) == 220 - 30


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({"removal_policy": cdk.RemovalPolicy.DESTROY}, "removal_policy"),
        ({"removal_policy": cdk.RemovalPolicy.DESTROY, "empty_on_delete": True}, "empty_on_delete"),
        ({"removal_policy": cdk.RemovalPolicy.DESTROY, "auto_delete_images": True}, "auto_delete_images"),
    ],
)
def test_prod_fails_when_asked_to_delete_images_without_opt_in(
    stack: cdk.Stack, props: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError, match=f"{field}=.*allow_destroy=True"):
        ProdRepository(stack, "Prod", **props)
    assert Template.from_stack(stack).find_resources(REPO) == {}


def test_prod_destroy_with_explicit_opt_in_is_warned(stack: cdk.Stack) -> None:
    ProdRepository(stack, "Prod", removal_policy=cdk.RemovalPolicy.DESTROY, empty_on_delete=True, allow_destroy=True)
    Template.from_stack(stack).has_resource(REPO, {"DeletionPolicy": "Delete"})
    assert has_warning(stack, "Prod", "not the secure default Retain")
    assert has_warning(stack, "Prod", "not the secure default false")


def test_prod_apply_removal_policy_destroy_needs_the_same_opt_in(app: cdk.App, stack: cdk.Stack) -> None:
    prod = ProdRepository(cdk.Stack(app, "Other"), "Prod")
    prod.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    assert any(f.code == "repository.production-destroy" for f in app_state(stack).guarantees().last_findings)


def test_prod_apply_removal_policy_destroy_with_the_opt_in_deploys_delete(stack: cdk.Stack) -> None:
    ProdRepository(stack, "Kept")
    opted = ProdRepository(stack, "Opted", allow_destroy=True)
    opted.apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    resources = Template.from_stack(stack).find_resources(REPO)
    assert {r["DeletionPolicy"] for r in resources.values()} == {"Retain", "Delete"}


# Every keyword a preset sets, overridden by the user: synth still works and the user's value lands.
PRESET_OVERRIDES: list[tuple[type[SecureRepository], dict[str, Any], dict[str, Any] | None]] = [
    (DevRepository, {"image_tag_mutability": ecr.TagMutability.IMMUTABLE}, {"ImageTagMutability": "IMMUTABLE"}),
    (DevRepository, {"removal_policy": cdk.RemovalPolicy.RETAIN}, {"EmptyOnDelete": Match.absent()}),
    (DevRepository, {"empty_on_delete": False}, {"EmptyOnDelete": Match.absent()}),
    (DevRepository, {"lifecycle_rules": [ecr.LifecycleRule(max_image_count=3)]}, None),
    (DevRepository, {"image_scan_on_push": False}, {"ImageScanningConfiguration": {"ScanOnPush": False}}),
    (ProdRepository, {"lifecycle_rules": [ecr.LifecycleRule(max_image_count=3)]}, None),
    (ProdRepository, {"image_tag_mutability": ecr.TagMutability.MUTABLE}, {"ImageTagMutability": "MUTABLE"}),
    (ProdRepository, {"image_scan_on_push": False}, {"ImageScanningConfiguration": {"ScanOnPush": False}}),
    (ProdRepository, {"removal_policy": cdk.RemovalPolicy.DESTROY, "allow_destroy": True}, None),
    (
        ProdRepository,
        {"encryption": ecr.RepositoryEncryption.AES_256},
        {"EncryptionConfiguration": {"EncryptionType": "AES256"}},
    ),
]


def test_the_override_table_covers_every_keyword_each_preset_sets() -> None:
    from ecr_patterns.core.presets import DEV, PROD, SECURE, Preset

    keyword_of = {
        "tag_mutability": "image_tag_mutability",
        "deletion_policy": "removal_policy",
        "empty_on_delete": "empty_on_delete",
        "scan_on_push": "image_scan_on_push",
    }

    def preset_keywords(preset: Preset) -> set[str]:
        differs = {k for f, k in keyword_of.items() if getattr(preset.settings, f) != getattr(SECURE.settings, f)}
        return differs | {"lifecycle_rules"}  # every preset has a lifecycle policy of its own

    for cls, defaults in ((DevRepository, DEV), (ProdRepository, PROD)):
        covered = {k for c, props, _ in PRESET_OVERRIDES if c is cls for k in props if k != "allow_destroy"}
        assert preset_keywords(defaults) <= covered, cls.__name__


@pytest.mark.parametrize(
    ("cls", "props", "expected"), PRESET_OVERRIDES, ids=lambda v: getattr(v, "__name__", None) or str(v)[:40]
)
def test_every_keyword_a_preset_sets_can_be_overridden_without_breaking_synth(
    cls: type[SecureRepository], props: dict[str, Any], expected: dict[str, Any] | None
) -> None:
    stack = cdk.Stack(cdk.App(), "TestStack")
    cls(stack, "Repo", **props)
    template = Template.from_stack(stack)
    if expected is not None:
        template.has_resource_properties(REPO, expected)
    if "lifecycle_rules" in props:
        assert rules_of(stack) == [("any", "imageCountMoreThan", 3)]
    if props.get("removal_policy") == cdk.RemovalPolicy.RETAIN:
        template.has_resource(REPO, {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})


def test_dev_with_retain_keeps_its_images_and_is_not_warned(stack: cdk.Stack) -> None:
    DevRepository(stack, "Dev", removal_policy=cdk.RemovalPolicy.RETAIN)
    Template.from_stack(stack).has_resource(
        REPO, {"DeletionPolicy": "Retain", "Properties": Match.object_like({"EmptyOnDelete": Match.absent()})}
    )
    assert Annotations.from_stack(stack).find_warning("*", Match.any_value()) == []


def test_fails_with_our_error_not_jsiis_when_empty_on_delete_is_asked_with_retain(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError, match=r"TestStack/Dev.*empty_on_delete=True.*RemovalPolicy.DESTROY") as raised:
        DevRepository(stack, "Dev", removal_policy=cdk.RemovalPolicy.RETAIN, empty_on_delete=True)
    assert raised.value.codes == ["repository.empty-on-delete"]


def test_prod_lists_every_refused_setting_in_one_error_naming_the_construct_path(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError) as raised:
        ProdRepository(
            stack, "Prod", removal_policy=cdk.RemovalPolicy.DESTROY, empty_on_delete=True, auto_delete_images=True
        )
    assert raised.value.context == "TestStack/Prod"
    assert raised.value.codes == ["repository.production-destroy"] * 3
