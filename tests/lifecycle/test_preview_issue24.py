"""Issue 24: the preview exact on nested and archived image indexes, referrers in archive, referrers held by
the 24-hour rule, and equal push times. Each test names or quotes the documentation sentence that decides it;
the CLI's ``--json`` gives the same answer as the Python API on the index cases."""

from __future__ import annotations

import json
from datetime import timedelta
from itertools import permutations
from pathlib import Path
from typing import Any

import pytest

from ecr_patterns.lifecycle import preview_lifecycle_policy
from ecr_patterns.tools.cli import main
from tests.lifecycle.builders import NOW, image, rule

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ARCHIVE = {"type": "transition", "targetStorageClass": "archive"}
UNTAGGED_AFTER_3 = {"rules": [rule(1, "untagged", "sinceImagePushed", 3)]}


def by_name(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["imageDigest"].removeprefix("sha256:"): r for r in result["imageReasons"]}


def decisions(policy: dict[str, Any], images: list[dict[str, Any]], **kwargs: Any) -> dict[str, str]:
    result = preview_lifecycle_policy(policy, images, now=NOW, **kwargs)
    return {k: v["decision"] for k, v in by_name(result).items()}


# -- image indexes ------------------------------------------------------------------------------


def index_of_indexes() -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """A tagged index OUTER referencing an untagged index INNER, which references the image LEAF."""
    images = [
        image("OUTER", ["v1"], 10, imageManifestMediaType=OCI_INDEX),
        image("INNER", [], 10, imageManifestMediaType=OCI_INDEX),
        image("LEAF", [], 10),
    ]
    return images, {"sha256:OUTER": ["sha256:INNER"], "sha256:INNER": ["sha256:LEAF"]}


@pytest.mark.parametrize("images_order", list(permutations(range(3))))
@pytest.mark.parametrize("inner_first", [False, True])
def test_an_index_of_indexes_keeps_its_leaf_in_any_listing_order_while_the_outer_manifest_list_remains(
    images_order: tuple[int, ...], inner_first: bool
) -> None:
    # "If an image is referenced by a manifest list, it cannot be expired or archived without the manifest list
    # being deleted or archived first": OUTER stays, so INNER stays, so LEAF stays.
    images, children = index_of_indexes()
    if inner_first:
        children = dict(reversed(children.items()))
    result = preview_lifecycle_policy(
        UNTAGGED_AFTER_3, [images[i] for i in images_order], now=NOW, index_children=children
    )
    got = by_name(result)
    assert {k: v["decision"] for k, v in got.items()} == {"OUTER": "KEEP", "INNER": "KEEP", "LEAF": "KEEP"}
    assert got["INNER"]["reason"].startswith("referenced by the image index OUTER, which remains")
    assert got["LEAF"]["reason"].startswith("referenced by the image index INNER, which remains")
    assert result["previewResults"] == []


def test_the_cli_agrees_with_the_api_on_an_index_of_indexes_whichever_manifest_comes_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same sentence, through `ecr-patterns lifecycle preview --manifests` with batch-get-image's shape.
    images, children = index_of_indexes()
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(UNTAGGED_AFTER_3))
    listing = tmp_path / "images.json"
    listing.write_text(json.dumps({"imageDetails": images}, default=lambda d: d.isoformat()))
    outputs = []
    for order in (list(children), list(reversed(children))):
        entries = [
            {
                "imageId": {"imageDigest": parent},
                "imageManifestMediaType": OCI_INDEX,
                "imageManifest": json.dumps(
                    {"schemaVersion": 2, "manifests": [{"digest": k} for k in children[parent]]}
                ),
            }
            for parent in order
        ]
        manifests = tmp_path / "manifests.json"
        manifests.write_text(json.dumps({"images": entries, "failures": []}))
        args = ["lifecycle", "preview", "--policy", str(policy), "--images", str(listing)]
        assert main([*args, "--manifests", str(manifests), "--now", NOW.isoformat(), "--json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[1]
    api = preview_lifecycle_policy(UNTAGGED_AFTER_3, images, now=NOW, index_children=children)
    assert [(r["imageDigest"], r["decision"]) for r in outputs[0]["imageReasons"]] == [
        (r["imageDigest"], r["decision"]) for r in api["imageReasons"]
    ]


def test_an_index_already_in_archive_no_longer_blocks_its_active_children() -> None:
    # "... without the manifest list being deleted or archived first": an archived manifest list blocks nothing.
    images = [
        image("INDEX", ["v1"], 200, imageManifestMediaType=OCI_INDEX, imageStatus="ARCHIVED", lastArchivedAt=NOW),
        image("AMD64", [], 10),
        image("ARM64", [], 10),
    ]
    children = {"sha256:INDEX": ["sha256:AMD64", "sha256:ARM64"]}
    assert decisions(UNTAGGED_AFTER_3, images, index_children=children) == {
        "INDEX": "KEEP",
        "AMD64": "EXPIRE",
        "ARM64": "EXPIRE",
    }


@pytest.mark.parametrize("action", [None, ARCHIVE], ids=["index-expires", "index-archived"])
def test_an_index_expiring_or_archived_in_a_run_frees_its_children_in_the_same_run_read_alike_for_both_actions(
    action: dict[str, Any] | None,
) -> None:
    # "... without the manifest list being deleted or archived first" names both actions alike: whichever the
    # index undergoes, its children go in the same run when their own rule marks them (docs/lifecycle-readings.md).
    policy = {
        "rules": [
            rule(1, "tagged", "sinceImagePushed", 5, tagPrefixList=["v"], action=action),
            rule(2, "untagged", "sinceImagePushed", 3),
        ]
    }
    images = [image("INDEX", ["v1"], 10, imageManifestMediaType=OCI_INDEX), image("CHILD", [], 10)]
    got = decisions(policy, images, index_children={"sha256:INDEX": ["sha256:CHILD"]})
    assert got == {"INDEX": "EXPIRE" if action is None else "TRANSITION", "CHILD": "EXPIRE"}


# -- referrers --------------------------------------------------------------------------------


def test_a_referrer_already_in_archive_is_not_transitioned_again_when_its_subject_is_archived() -> None:
    # Lifecycle policies "automatically expire or archive those artifacts within 24 hours of the deletion or
    # archival of the subject image": one in archive already has nothing left to do.
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["v"], action=ARCHIVE)]}
    images = [
        image("SUBJECT", ["v1"], 100),
        image(
            "SIG",
            [],
            100,
            subjectManifestDigest="sha256:SUBJECT",
            imageStatus="ARCHIVED",
            lastArchivedAt=NOW - 5 * timedelta(days=1),
        ),
    ]
    result = preview_lifecycle_policy(policy, images, now=NOW)
    got = by_name(result)
    assert got["SIG"]["decision"] == "KEEP"
    assert "in archive already" in got["SIG"]["reason"]
    assert [r["imageDigest"] for r in result["previewResults"]] == ["sha256:SUBJECT"]
    assert result["summary"]["transitioningImageTotalCounts"] == [
        {"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}
    ]


def test_an_active_referrer_of_a_subject_archived_by_hand_is_archived_within_24_hours_of_its_archival() -> None:
    # "... within 24 hours of the deletion or archival of the subject image": the subject's archiving need not
    # be a rule's.
    policy = {"rules": [rule(1, "untagged", "imageCountMoreThan", 100)]}
    images = [
        image("SUBJECT", ["v1"], 100, imageStatus="ARCHIVED", lastArchivedAt=NOW - timedelta(days=3)),
        image("SBOM", [], 50, subjectManifestDigest="sha256:SUBJECT"),
    ]
    result = preview_lifecycle_policy(policy, images, now=NOW)
    got = by_name(result)
    assert (got["SBOM"]["decision"], got["SBOM"]["appliedRulePriority"]) == ("TRANSITION", None)
    assert "which is in archive" in got["SBOM"]["reason"]
    assert result["summary"]["transitioningImageTotalCounts"] == [
        {"targetStorageClass": "ARCHIVE", "imageTotalCount": 1}
    ]


TWO_HOURS_AGO = NOW - timedelta(hours=2)


@pytest.mark.parametrize(
    "extra",
    [
        {"imagePushedAt": TWO_HOURS_AGO},
        {"imageStatus": "ARCHIVED", "lastArchivedAt": TWO_HOURS_AGO},
        {"lastActivatedAt": TWO_HOURS_AGO},
    ],
    ids=["pushed", "archived", "restored"],
)
def test_a_referrer_in_its_storage_class_for_less_than_24_hours_is_kept_and_named_due_soon(
    extra: dict[str, Any],
) -> None:
    # Image signing: "The artifact must also remain in its current storage class for at least 24 hours before
    # Amazon ECR lifecycle policies can clean it up." Its subject expires now; it goes within the next day.
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["v"])]}
    signature = {**image("SIG", [], 300, subjectManifestDigest="sha256:SUBJECT"), **extra}
    result = preview_lifecycle_policy(policy, [image("SUBJECT", ["v1"], 100), signature], now=NOW)
    got = by_name(result)
    assert got["SUBJECT"]["decision"] == "EXPIRE"
    assert (got["SIG"]["decision"], got["SIG"]["dueSoon"]) == ("KEEP", True)
    assert "remain in its storage class for 24 hours" in got["SIG"]["reason"]
    assert result["totals"]["dueSoonImageCount"] == 1
    assert [r["imageDigest"] for r in result["previewResults"]] == ["sha256:SUBJECT"]


def test_a_referrer_in_its_storage_class_for_a_full_day_follows_its_subject_at_once() -> None:
    # "... for at least 24 hours": exactly 24 hours is enough.
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["v"])]}
    images = [image("SUBJECT", ["v1"], 100), image("SIG", [], 1, subjectManifestDigest="sha256:SUBJECT")]
    assert decisions(policy, images) == {"SUBJECT": "EXPIRE", "SIG": "EXPIRE"}


# -- equal push times -----------------------------------------------------------------------------


@pytest.mark.parametrize("d_first", [True, False], ids=["documented-order", "reversed"])
def test_all_images_example_b_with_d_and_e_both_pushed_1_day_ago_expires_a_b_and_d_as_documented(d_first: bool) -> None:
    # "Examples of lifecycle policies", Filtering on all images, Example B: D and E are both "Pushed: 1 day ago";
    # "Images A, B, and D are expired" (rule 3 keeps the newest image, E). Equal times are ordered by digest,
    # greater first, so the listing order does not matter.
    images = [
        image("A", ["alpha-1", "beta-1"], 4),
        image("B", [], 3),
        image("C", ["alpha-2"], 2),
        image("D", ["git hash"], 1),
        image("E", [], 1),
    ]
    if not d_first:
        images[3], images[4] = images[4], images[3]
    policy = {
        "rules": [
            rule(1, "tagged", "imageCountMoreThan", 1, tagPrefixList=["alpha"]),
            rule(2, "untagged", "sinceImagePushed", 1),
            rule(3, "any", "imageCountMoreThan", 1),
        ]
    }
    result = preview_lifecycle_policy(policy, images, now=NOW)
    applied = {r["imageDigest"].removeprefix("sha256:"): r["appliedRulePriority"] for r in result["previewResults"]}
    assert applied == {"A": 1, "B": 2, "D": 3}
    assert [r["imageDigest"].removeprefix("sha256:") for r in result["imageReasons"]] == ["E", "D", "C", "B", "A"]
