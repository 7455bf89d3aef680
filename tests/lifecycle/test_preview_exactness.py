"""The preview on the images people have today, each rule cited to the ECR User Guide ("How lifecycle policies
work", "Archiving an image", "Restoring an image"): restored images, referrers, image indexes, the 24-hour window,
bytes, every timestamp form AWS tools print, and sentences a person can read."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_patterns import ValidationError
from ecr_patterns.core.lifecycle.model import CountType, PolicyRule, Selection, TagStatus
from ecr_patterns.core.lifecycle.preview import INDEX_MEDIA_TYPES
from ecr_patterns.lifecycle import LifecyclePolicy, preview_lifecycle_policy
from tests.lifecycle.builders import NOW, image, rule

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


ARCHIVE = {"type": "transition", "targetStorageClass": "archive"}


def decisions(policy: dict[str, Any], images: list[dict[str, Any]], **kwargs: Any) -> dict[str, str]:
    result = preview_lifecycle_policy(policy, images, now=NOW, **kwargs)
    return {r["imageDigest"].removeprefix("sha256:"): r["decision"] for r in result["imageReasons"]}


# -- restored images (lastActivatedAt) --------------------------------------------------------


def test_restored_image_ranks_by_its_restore_time_under_image_count_more_than() -> None:
    # "How lifecycle policies work": a restored image's lastActivatedAt replaces its push time.
    policy = {"rules": [rule(1, "any", "imageCountMoreThan", 1)]}
    images = [image("OLD", ["v1"], 300, lastActivatedAt=NOW - timedelta(hours=1)), image("NEW", ["v2"], 1)]
    assert decisions(policy, images) == {"OLD": "KEEP", "NEW": "EXPIRE"}


def test_restored_image_counts_its_age_from_the_restore_for_since_image_pushed() -> None:
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["v"])]}
    images = [image("RESTORED", ["v1"], 300, lastActivatedAt=NOW - timedelta(days=2)), image("OLD", ["v2"], 300)]
    assert decisions(policy, images) == {"RESTORED": "KEEP", "OLD": "EXPIRE"}


def test_a_pull_older_than_the_restore_is_replaced_by_the_restore_for_since_image_pulled() -> None:
    policy = {"rules": [rule(1, "any", "sinceImagePulled", 30, action=ARCHIVE)]}
    images = [
        image(
            "RESTORED",
            ["a"],
            400,
            lastRecordedPullTime=NOW - timedelta(days=200),
            lastActivatedAt=NOW - timedelta(days=3),
        ),
        image("STALE", ["b"], 400, lastRecordedPullTime=NOW - timedelta(days=200)),
        image(
            "PULLED_AFTER",
            ["c"],
            400,
            lastActivatedAt=NOW - timedelta(days=90),
            lastRecordedPullTime=NOW - timedelta(days=1),
        ),
    ]
    assert decisions(policy, images) == {"RESTORED": "KEEP", "STALE": "TRANSITION", "PULLED_AFTER": "KEEP"}


# -- referrers (subjectManifestDigest) --------------------------------------------------------


def test_a_referrer_follows_its_subjects_expiry_and_the_reason_says_so() -> None:
    # "How lifecycle policies work": referrers are expired or archived within 24 hours of their subject.
    policy = {
        "rules": [
            rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["v"]),
            rule(2, "untagged", "sinceImagePushed", 365),
        ]
    }
    images = [image("SUBJECT", ["v1"], 100), image("SIG", [], 1, subjectManifestDigest="sha256:SUBJECT")]
    result = preview_lifecycle_policy(policy, images, now=NOW)
    reasons = {r["imageDigest"]: r for r in result["imageReasons"]}
    assert reasons["sha256:SIG"]["decision"] == "EXPIRE"
    assert "a referrer of SUBJECT" in reasons["sha256:SIG"]["reason"]
    assert "expires" in reasons["sha256:SIG"]["reason"]


def test_a_referrer_of_a_kept_subject_is_kept_even_when_a_rule_would_select_it() -> None:
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 1)]}
    images = [image("SUBJECT", ["v1"], 100), image("SBOM", [], 50, subjectManifestDigest="sha256:SUBJECT")]
    assert decisions(policy, images) == {"SUBJECT": "KEEP", "SBOM": "KEEP"}


def test_referrers_are_not_counted_by_count_rules() -> None:
    policy = {"rules": [rule(1, "any", "imageCountMoreThan", 2)]}
    images = [
        image("A", ["a"], 3),
        image("A-SIG", [], 2.5, subjectManifestDigest="sha256:A"),  # older than the 24-hour hold
        image("B", ["b"], 2),
        image("C", ["c"], 1),
    ]
    # Counting only images: C and B are the newest two; A goes, and its signature with it.
    assert decisions(policy, images) == {"C": "KEEP", "B": "KEEP", "A": "EXPIRE", "A-SIG": "EXPIRE"}


def test_a_referrer_whose_subject_is_not_listed_expires_within_24_hours_of_the_deletion_of_its_subject() -> None:
    # Image signing: lifecycle policies "automatically expire or archive those artifacts within 24 hours of the
    # deletion or archival of the subject image". A complete listing without the subject: it was deleted.
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 1, tagPrefixList=["v"])]}
    images = [image("ORPHAN", [], 10, subjectManifestDigest="sha256:GONE"), image("V", ["v1"], 0.5)]
    result = preview_lifecycle_policy(policy, images, now=NOW)
    by = {r["imageDigest"].removeprefix("sha256:"): r for r in result["imageReasons"]}
    assert (by["ORPHAN"]["decision"], by["ORPHAN"]["appliedRulePriority"], by["ORPHAN"]["selectedBy"]) == (
        "EXPIRE",
        None,
        [],
    )
    assert "GONE, which is not listed (deleted)" in by["ORPHAN"]["reason"]
    assert [r["imageDigest"] for r in result["previewResults"]] == ["sha256:ORPHAN"]


# -- image indexes (manifest lists) -----------------------------------------------------------


def multi_arch() -> list[dict[str, Any]]:
    return [
        image("INDEX", ["v1"], 10, imageManifestMediaType=OCI_INDEX),
        image("AMD64", [], 10, imageManifestMediaType=OCI_MANIFEST),
        image("ARM64", [], 10, imageManifestMediaType=OCI_MANIFEST),
        image("STRAY", [], 10, imageManifestMediaType=OCI_MANIFEST),
    ]


UNTAGGED_AFTER_3 = {"rules": [rule(1, "untagged", "sinceImagePushed", 3)]}
CHILDREN = {"sha256:INDEX": ["sha256:AMD64", "sha256:ARM64"]}


def test_the_children_of_a_kept_index_are_never_marked() -> None:
    # ECR will not expire or archive an image a manifest list references while the list remains
    # (ImageReferencedByManifestList).
    result = preview_lifecycle_policy(UNTAGGED_AFTER_3, multi_arch(), now=NOW, index_children=CHILDREN)
    by = {r["imageDigest"].removeprefix("sha256:"): r for r in result["imageReasons"]}
    assert {k: v["decision"] for k, v in by.items()} == {
        "INDEX": "KEEP",
        "AMD64": "KEEP",
        "ARM64": "KEEP",
        "STRAY": "EXPIRE",
    }
    assert "referenced by the image index INDEX" in by["AMD64"]["reason"]
    assert result["summary"]["expiringImageTotalCount"] == 1
    assert result["unresolvedIndexes"] == []
    assert result["couldNotRuleOut"] == []


def test_the_children_of_an_expiring_index_go_with_it() -> None:
    policy = {"rules": [rule(1, "any", "sinceImagePushed", 3)]}
    assert set(decisions(policy, multi_arch(), index_children=CHILDREN).values()) == {"EXPIRE"}


def test_without_the_index_manifests_the_output_names_the_images_it_could_not_rule_out() -> None:
    result = preview_lifecycle_policy(UNTAGGED_AFTER_3, multi_arch(), now=NOW)
    assert result["unresolvedIndexes"] == ["sha256:INDEX"]
    assert sorted(result["couldNotRuleOut"]) == ["sha256:AMD64", "sha256:ARM64", "sha256:STRAY"]


def test_index_media_types_are_the_oci_index_and_the_docker_manifest_list() -> None:
    assert {
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    } == INDEX_MEDIA_TYPES


# -- the 24-hour window, bytes, timestamps, sentences -----------------------------------------


def test_an_image_meeting_an_age_rule_within_24_hours_is_named_due_soon_while_ecrs_shape_stays() -> None:
    # "How lifecycle policies work": images are expired within 24 hours after they meet the criteria.
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 14)]}
    images = [image("TONIGHT", [], 13.6), image("LATER", [], 12), image("DUE", [], 15)]
    result = preview_lifecycle_policy(policy, images, now=NOW)
    by = {r["imageDigest"]: r for r in result["imageReasons"]}
    assert by["sha256:TONIGHT"]["decision"] == "KEEP"
    assert by["sha256:TONIGHT"]["dueSoon"] is True
    assert "24-hour window" in by["sha256:TONIGHT"]["reason"]
    assert by["sha256:LATER"]["dueSoon"] is False
    assert [r["imageDigest"] for r in result["previewResults"]] == ["sha256:DUE"]
    assert set(result["previewResults"][0]) == {
        "imageDigest",
        "imageTags",
        "imagePushedAt",
        "action",
        "appliedRulePriority",
        "storageClass",
    }
    assert result["totals"]["dueSoonImageCount"] == 1


@pytest.mark.parametrize("archived_elsewhere", [False, True])
def test_the_24_hour_window_of_a_tag_rule_is_every_image_of_the_last_day_before_the_threshold(
    archived_elsewhere: bool,
) -> None:
    # sinceImagePushed expires images pushed more than N days ago: an image exactly 30 days old is kept and
    # meets the rule within 24 hours, as does one of 29.5 days; one of exactly 29 days is a whole day away.
    # Both evaluation paths: with and without archived images in the repository.
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["v"])]}
    images = [
        image("OLD", ["v1"], 30.5),
        image("EDGE", ["v2"], 30),
        image("HALF", ["v3"], 29.5),
        image("DAY", ["v4"], 29),
        image("OTHER", ["x"], 29.9),
    ]
    if archived_elsewhere:
        images.append(image("ARCHIVED", ["x"], 200, imageStatus="ARCHIVED", lastArchivedAt=NOW))
    result = preview_lifecycle_policy(policy, images, now=NOW)
    due_soon = {r["imageDigest"].removeprefix("sha256:") for r in result["imageReasons"] if r["dueSoon"]}
    assert due_soon == {"EDGE", "HALF"}
    assert [r["imageDigest"] for r in result["previewResults"]] == ["sha256:OLD"]


def test_bytes_expiring_and_moving_to_archive_are_summed_overall_and_per_rule() -> None:
    policy = {
        "rules": [
            rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["old"], action=ARCHIVE),
            rule(2, "untagged", "sinceImagePushed", 1),
        ]
    }
    images = [
        image("A", ["old-1"], 40, imageSizeInBytes=1000),
        image("B", ["old-2"], 50, imageSizeInBytes=500),
        image("C", [], 5, imageSizeInBytes=70),
    ]
    result = preview_lifecycle_policy(policy, images, now=NOW)
    assert result["totals"] == {"expiringImageBytes": 70, "transitioningImageBytes": 1500, "dueSoonImageCount": 0}
    assert [(r["rulePriority"], r["action"], r["imageCount"], r["imageBytes"]) for r in result["rules"]] == [
        (1, "TRANSITION", 2, 1500),
        (2, "EXPIRE", 1, 70),
    ]


@pytest.mark.parametrize(
    "pushed",
    [
        NOW - timedelta(days=40),
        (NOW - timedelta(days=40)).isoformat(),
        (NOW - timedelta(days=40)).isoformat().replace("+00:00", "Z"),
        (NOW - timedelta(days=40)).timestamp(),  # AWS CLI v1's default output: epoch seconds
        int((NOW - timedelta(days=40)).timestamp()),
    ],
    ids=["datetime", "iso", "iso-z", "epoch-float", "epoch-int"],
)
def test_every_timestamp_form_aws_tools_print_is_read(pushed: Any) -> None:
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 30)]}
    images = [{"imageDigest": "sha256:A", "imagePushedAt": pushed, "lastRecordedPullTime": pushed}]
    assert decisions(policy, images) == {"A": "EXPIRE"}


def test_fails_on_a_timestamp_that_is_none_of_those_forms() -> None:
    with pytest.raises(ValidationError, match="epoch seconds"):
        preview_lifecycle_policy(
            {"rules": [rule(1, "any", "imageCountMoreThan", 1)]}, [image("A", [], 1) | {"imagePushedAt": [1]}]
        )


def test_a_policy_object_is_validated_like_text() -> None:
    bad = LifecyclePolicy.from_rules(
        [PolicyRule(Selection(TagStatus.ANY, CountType.IMAGE_COUNT_MORE_THAN, 0))]  # countNumber 0
    )
    with pytest.raises(ValidationError, match="countNumber=0"):
        preview_lifecycle_policy(bad, [image("A", [], 1)], now=NOW)


def test_sentences_read_naturally_when_fewer_images_than_the_count_and_for_one_day() -> None:
    policy = {
        "rules": [
            rule(1, "tagged", "imageCountMoreThan", 10, tagPrefixList=["prod"]),
            rule(2, "untagged", "sinceImagePushed", 1),
        ]
    }
    images = [image("A", ["prod-1"], 3), image("B", ["prod-2"], 2), image("C", [], 0.5)]
    reasons = {r["imageDigest"]: r["reason"] for r in preview_lifecycle_policy(policy, images, now=NOW)["imageReasons"]}
    assert reasons["sha256:A"].endswith("keeps it: one of only 2 images tagged prod*; the rule keeps the newest 10")
    assert "images of images" not in " ".join(reasons.values())
    assert "within the last 1 day" in reasons["sha256:C"]
    assert "1 days" not in reasons["sha256:C"]


# -- properties over generated repositories with children, referrers and restored images -------


@st.composite
def repositories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    count = draw(st.integers(min_value=1, max_value=30))
    images: list[dict[str, Any]] = []
    for i in range(count):
        extra: dict[str, Any] = {}
        if draw(st.booleans()):
            extra["lastActivatedAt"] = NOW - timedelta(days=draw(st.integers(0, 50)))
        if i and draw(st.integers(0, 4)) == 0:
            extra["subjectManifestDigest"] = f"sha256:{draw(st.integers(0, i - 1)):04d}"
        tags = draw(st.lists(st.sampled_from(["v1", "v2", "prod"]), max_size=2, unique=True))
        images.append(image(f"{i:04d}", tags, draw(st.integers(0, 400)), **extra))
    indexes: dict[str, list[str]] = {}
    for i in range(0, count, 5):
        kids = [f"sha256:{k:04d}" for k in range(i + 1, min(i + 3, count))]
        images[i]["imageManifestMediaType"] = OCI_INDEX
        indexes[images[i]["imageDigest"]] = kids
    return images, indexes


POLICIES = [
    {"rules": [rule(1, "untagged", "sinceImagePushed", 7), rule(2, "any", "imageCountMoreThan", 3)]},
    {
        "rules": [
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["v"]),
            rule(2, "any", "sinceImagePushed", 30),
        ]
    },
]


@settings(max_examples=150, deadline=None)
@given(repo=repositories(), policy=st.sampled_from(POLICIES))
def test_children_of_remaining_indexes_are_never_marked_and_referrers_share_their_subjects_fate(
    repo: tuple[list[dict[str, Any]], dict[str, list[str]]], policy: dict[str, Any]
) -> None:
    # "If an image is referenced by a manifest list, it cannot be expired or archived without the manifest list
    # being deleted or archived first"; referrers go "within 24 hours of the deletion or archival of the subject
    # image", once they have been "in [their] current storage class for at least 24 hours" (none is archived here).
    images, indexes = repo
    result = preview_lifecycle_policy(policy, images, now=NOW, index_children=indexes)
    decided = {r["imageDigest"]: r["decision"] for r in result["imageReasons"]}
    for parent, kids in indexes.items():
        if decided[parent] == "KEEP":
            assert all(decided[kid] == "KEEP" for kid in kids), parent
    pushed = {i["imageDigest"]: i.get("lastActivatedAt") or i["imagePushedAt"] for i in images}
    for img in images:
        subject, digest = img.get("subjectManifestDigest"), img["imageDigest"]
        if subject is not None and subject in decided and subject != digest:
            young = NOW - max(pushed[digest], img["imagePushedAt"]) < timedelta(days=1)
            protected = any(digest in kids and decided[p] == "KEEP" for p, kids in indexes.items())
            assert decided[digest] == ("KEEP" if young or protected else decided[subject])
    assert len(result["previewResults"]) == sum(1 for d in decided.values() if d != "KEEP")


@pytest.mark.parametrize(
    ("rule_json", "images", "expected"),
    [
        (
            rule(1, "untagged", "imageCountMoreThan", 1),
            [image("A", [], 2), image("B", [], 1)],
            "beyond the newest 1 of the 2 untagged images",
        ),
        (
            rule(1, "any", "imageCountMoreThan", 1),
            [image("A", [], 2), image("B", ["x"], 1)],
            "beyond the newest 1 of the 2 images",
        ),
        (
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["p"]),
            [image("A", ["p1"], 2), image("B", ["p2"], 1)],
            "beyond the newest 1 of the 2 images tagged p*",
        ),
    ],
)
def test_count_sentences_name_what_the_rule_selects(
    rule_json: dict[str, Any], images: list[dict[str, Any]], expected: str
) -> None:
    reasons = preview_lifecycle_policy({"rules": [rule_json]}, images, now=NOW)["imageReasons"]
    assert reasons[1]["reason"].endswith(expected)


def test_datetimes_with_the_tzinfo_boto3_uses_are_read() -> None:
    # boto3 parses times with dateutil's tzinfo classes, which are not hashable.
    from dateutil import tz

    pushed = (NOW - timedelta(days=40)).astimezone(tz.tzlocal())
    policy = {"rules": [rule(1, "untagged", "sinceImagePushed", 30)]}
    images = [
        {"imageDigest": "sha256:A", "imagePushedAt": pushed, "lastRecordedPullTime": pushed.astimezone(tz.tzutc())}
    ]
    assert decisions(policy, images) == {"A": "EXPIRE"}
