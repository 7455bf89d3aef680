"""The worked examples of the ECR User Guide page "Examples of lifecycle policies in Amazon ECR",
transcribed by hand (repository contents, policy, stated outcome), plus archive semantics."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ecr_patterns import ValidationError
from ecr_patterns.lifecycle import preview_lifecycle_policy
from tests.lifecycle.builders import NOW, image, rule


def expired(policy: dict[str, Any], images: list[dict[str, Any]]) -> set[str]:
    result = preview_lifecycle_policy(policy, images, now=NOW)
    return {r["imageDigest"].split(":")[1] for r in result["previewResults"] if r["action"]["type"] == "EXPIRE"}


def test_filtering_on_image_age_expires_untagged_images_older_than_14_days() -> None:
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 14)]}
    images = [image("A", [], 15), image("B", [], 13), image("C", ["v1"], 30)]
    assert expired(policy, images) == {"A"}


def test_filtering_on_image_count_keeps_one_untagged_image() -> None:
    policy = {"rules": [rule(1, "untagged", "imageCountMoreThan", 1)]}
    images = [image("A", [], 3), image("B", [], 2), image("C", [], 1), image("D", ["v1"], 9)]
    assert expired(policy, images) == {"A", "B"}


MULTIPLE_RULES_REPO = [
    image("A", ["beta-1", "prod-1"], 10),
    image("B", ["beta-2", "prod-2"], 9),
    image("C", ["beta-3"], 8),
]


def test_multiple_rules_example_a_a_rule_never_marks_what_a_higher_rule_saw() -> None:
    policy = {
        "rules": [
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["prod"]),
            rule(2, "tagged", "imageCountMoreThan", 1, tagPrefixList=["beta"]),
        ]
    }
    assert expired(policy, MULTIPLE_RULES_REPO) == {"A"}


def test_multiple_rules_example_b_changing_the_order_changes_the_outcome() -> None:
    policy = {
        "rules": [
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["beta"]),
            rule(2, "tagged", "imageCountMoreThan", 1, tagPrefixList=["prod"]),
        ]
    }
    assert expired(policy, MULTIPLE_RULES_REPO) == {"A", "B"}


def test_multiple_tags_example_a_an_image_must_match_every_prefix() -> None:
    images = [
        image("A", ["alpha-1"], 12),
        image("B", ["beta-1"], 11),
        image("C", ["alpha-2", "beta-2"], 10),
        image("D", ["alpha-3"], 4),
        image("E", ["beta-3"], 3),
        image("F", ["alpha-4", "beta-4"], 2),
    ]
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 5, tagPrefixList=["alpha", "beta"])]}
    assert expired(policy, images) == {"C"}


def test_multiple_tags_example_b_tags_are_not_exclusive() -> None:
    images = [
        image("A", ["alpha-1", "beta-1", "gamma-1"], 10),
        image("B", ["alpha-2", "beta-2"], 9),
        image("C", ["alpha-3", "beta-3", "gamma-2"], 8),
    ]
    policy = {"rules": [rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["alpha", "beta"])]}
    assert expired(policy, images) == {"A", "B"}


def test_all_images_example_a_keeps_only_the_newest() -> None:
    images = [image("A", ["alpha-1"], 4), image("B", ["beta-1"], 3), image("C", [], 2), image("D", ["alpha-2"], 1)]
    policy = {"rules": [rule(1, "any", "imageCountMoreThan", 1)]}
    assert expired(policy, images) == {"A", "B", "C"}


def test_all_images_example_b_combines_every_rule_type() -> None:
    images = [
        image("A", ["alpha-1", "beta-1"], 4),
        image("B", [], 3),
        image("C", ["alpha-2"], 2),
        image("D", ["git hash"], 1.05),
        image("E", [], 0.95),  # the guide lists E after D: pushed later, not yet more than a day old
    ]
    policy = {
        "rules": [
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["alpha"]),
            rule(2, "untagged", "sinceImagePushed", 1),
            rule(3, "any", "imageCountMoreThan", 1),
        ]
    }
    result = preview_lifecycle_policy(policy, images, now=NOW)
    applied = {r["imageDigest"].split(":")[1]: r["appliedRulePriority"] for r in result["previewResults"]}
    assert applied == {"A": 1, "B": 2, "D": 3}
    assert result["summary"] == {"expiringImageTotalCount": 3, "transitioningImageTotalCounts": []}


def test_tag_pattern_list_matches_whole_tags_with_wildcards() -> None:
    images = [image("A", ["prod"], 20), image("B", ["production"], 20), image("C", ["preprod"], 20)]
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 14, tagPatternList=["prod*"])]}
    assert expired(policy, images) == {"A", "B"}
    exact = {"rules": [rule(1, "tagged", "sinceImagePushed", 14, tagPatternList=["prod"])]}
    assert expired(exact, images) == {"A"}
    infix = {"rules": [rule(1, "tagged", "sinceImagePushed", 14, tagPatternList=["*prod*"])]}
    assert expired(infix, images) == {"A", "B", "C"}


def test_age_is_strictly_more_than_n_days() -> None:
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 14)]}
    assert expired(policy, [image("A", [], 14)]) == set()
    assert expired(policy, [image("A", [], 14.001)]) == {"A"}


# -- archive storage class --------------------------------------------------------------------


def archive_policy() -> dict[str, Any]:
    return {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "storageClass": "standard",
                    "countType": "sinceImagePulled",
                    "countUnit": "days",
                    "countNumber": 30,
                },
                "action": {"type": "transition", "targetStorageClass": "archive"},
            },
            {
                "rulePriority": 2,
                "selection": {
                    "tagStatus": "any",
                    "storageClass": "archive",
                    "countType": "sinceImageTransitioned",
                    "countUnit": "days",
                    "countNumber": 90,
                },
                "action": {"type": "expire"},
            },
        ]
    }


def test_images_not_pulled_recently_transition_to_archive_using_push_time_when_never_pulled() -> None:
    images = [
        image("pulled-recently", ["a"], 100, lastRecordedPullTime=NOW - timedelta(days=3)),
        image("pulled-long-ago", ["b"], 100, lastRecordedPullTime=(NOW - timedelta(days=40)).isoformat()),
        image("never-pulled-old", ["c"], 45),
        image("never-pulled-new", ["d"], 10),
    ]
    result = preview_lifecycle_policy(archive_policy(), images, now=NOW)
    moved = {r["imageDigest"].split(":")[1]: r["action"] for r in result["previewResults"]}
    assert moved == {
        "pulled-long-ago": {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"},
        "never-pulled-old": {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"},
    }
    assert result["summary"] == {
        "expiringImageTotalCount": 0,
        "transitioningImageTotalCounts": [{"targetStorageClass": "ARCHIVE", "imageTotalCount": 2}],
    }


def test_archived_images_expire_by_time_since_archiving_and_only_archive_rules_select_them() -> None:
    images = [
        image("old-archive", ["a"], 400, imageStatus="ARCHIVED", lastArchivedAt=NOW - timedelta(days=120)),
        image("new-archive", ["b"], 400, imageStatus="ARCHIVED", lastArchivedAt=NOW - timedelta(days=60)),
    ]
    result = preview_lifecycle_policy(archive_policy(), images, now=NOW)
    assert [(r["imageDigest"], r["storageClass"], r["appliedRulePriority"]) for r in result["previewResults"]] == [
        ("sha256:old-archive", "ARCHIVE", 2)
    ]


# -- the result, for people and machines --------------------------------------------------------


def test_every_image_gets_a_reason() -> None:
    policy = {"rules": [rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["prod"])]}
    images = [image("A", ["prod-1"], 3), image("B", ["prod-2"], 2), image("C", ["dev"], 1)]
    reasons = {r["imageDigest"]: r for r in preview_lifecycle_policy(policy, images, now=NOW)["imageReasons"]}
    assert reasons["sha256:A"]["decision"] == "EXPIRE"
    assert "beyond the newest 1" in reasons["sha256:A"]["reason"]
    assert reasons["sha256:B"]["decision"] == "KEEP"
    assert reasons["sha256:B"]["selectedBy"] == [1]
    assert reasons["sha256:C"] == {
        "imageDigest": "sha256:C",
        "imageTags": ["dev"],
        "decision": "KEEP",
        "appliedRulePriority": None,
        "selectedBy": [],
        "reason": "no rule selects it: kept",
        "dueSoon": False,
    }


def test_preview_results_have_ecr_preview_fields() -> None:
    policy = {"rules": [rule(1, "untagged", "imageCountMoreThan", 1)]}
    (result,) = preview_lifecycle_policy(policy, [image("A", [], 2), image("B", [], 1)], now=NOW)["previewResults"]
    assert result == {
        "imageDigest": "sha256:A",
        "imageTags": [],
        "imagePushedAt": NOW - timedelta(days=2),
        "action": {"type": "EXPIRE"},
        "appliedRulePriority": 1,
        "storageClass": "STANDARD",
    }


def test_fails_when_the_policy_is_invalid() -> None:
    with pytest.raises(ValidationError, match="rulePriority"):
        preview_lifecycle_policy({"rules": [rule(0, "any", "imageCountMoreThan", 1)]}, [], now=NOW)


def test_fails_when_an_image_has_no_push_time_or_digest() -> None:
    policy = {"rules": [rule(1, "any", "imageCountMoreThan", 1)]}
    with pytest.raises(ValidationError) as caught:
        preview_lifecycle_policy(policy, [{"imageDigest": "sha256:x"}, {"imagePushedAt": "2026-01-01"}], now=NOW)
    assert [v.field for v in caught.value.violations] == ["imagePushedAt", "imageDigest"]


def test_iso_strings_and_naive_times_are_read_as_utc() -> None:
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 1)]}
    images = [{"imageDigest": "sha256:a", "imagePushedAt": "2026-05-30T12:00:00"}]
    assert expired(policy, images) == {"a"}
    assert preview_lifecycle_policy(policy, images, now="2026-05-31T11:59:00Z")["previewResults"] == []


def test_images_given_as_other_mappings_are_read_like_dicts() -> None:
    from types import MappingProxyType

    policy = {"rules": [rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["v"])]}
    images = [image("A", ["v1"], 2), image("B", ["v2"], 1), image("C", [], 3)]
    as_dicts = preview_lifecycle_policy(policy, images, now=NOW)
    assert preview_lifecycle_policy(policy, [MappingProxyType(i) for i in images], now=NOW) == as_dicts


def test_a_bad_pull_time_fails_at_once_even_when_no_rule_reads_pull_times() -> None:
    # Pull times are turned into seconds only when a sinceImagePulled rule needs them, but checked always.
    policy = {"rules": [rule(1, "any", "imageCountMoreThan", 1)]}
    images = [image("A", [], 1, lastRecordedPullTime="yesterday")]
    with pytest.raises(ValidationError) as caught:
        preview_lifecycle_policy(policy, images, now=NOW)
    assert [(v.field, v.value) for v in caught.value.violations] == [("lastRecordedPullTime", "yesterday")]


def test_every_unreadable_image_is_named_with_its_position() -> None:
    policy = {"rules": [rule(1, "any", "imageCountMoreThan", 1)]}
    images: list[Any] = [
        "sha256:A",
        {"imageDigest": "", "imagePushedAt": NOW},
        {"imageDigest": 7, "imagePushedAt": NOW},
    ]
    with pytest.raises(ValidationError) as caught:
        preview_lifecycle_policy(policy, images, now=NOW)
    assert [(v.field, v.where) for v in caught.value.violations] == [
        ("image", "image #1"),
        ("imageDigest", "image #2"),
        ("imageDigest", "image #3"),
    ]


def test_null_or_tuple_tags_read_as_untagged_or_as_a_tag_list() -> None:
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 1), rule(2, "any", "imageCountMoreThan", 9)]}
    images = [image("NULL", [], 5) | {"imageTags": None}, image("TUPLE", [], 5) | {"imageTags": ("v1",)}]
    reasons = {r["imageDigest"]: r for r in preview_lifecycle_policy(policy, images, now=NOW)["imageReasons"]}
    assert reasons["sha256:NULL"]["decision"] == "EXPIRE"
    assert reasons["sha256:NULL"]["imageTags"] == []
    assert reasons["sha256:TUPLE"]["decision"] == "KEEP"
    assert reasons["sha256:TUPLE"]["imageTags"] == ["v1"]
