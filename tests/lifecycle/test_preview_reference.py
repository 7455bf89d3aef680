"""The fast preview against a plain reading of ECR's documented evaluation (User Guide, "How lifecycle
policies work", "Archiving an image", "Restoring an image"), on generated repositories and policies.

The reference below is written for reading, not speed: one loop per rule and per image, no index, no
columns. The preview's own code keys everything by rank and evaluates in input order for speed; any
difference in a decision, the rule that decided, the rules that selected, the 24-hour window or the
bytes shows here."""

from __future__ import annotations

import fnmatch
import math
from datetime import datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_patterns.lifecycle import preview_lifecycle_policy, validate_lifecycle_policy
from tests.lifecycle.builders import NOW, image, rule

DAY = timedelta(days=1)
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
ARCHIVE_ACTION = {"type": "transition", "targetStorageClass": "archive"}
# Ages near the rules' day counts (below), so thresholds, ties and the 24-hour window all occur.
AGES = st.one_of(st.integers(0, 12), st.integers(28, 42), st.integers(88, 100))
DAYS = st.one_of(st.integers(1, 12), st.integers(28, 42))
TAGS = ["v1", "v1.2", "v2-rc1", "prod-1", "prod-2", "dev-x", "latest", "rc"]


def _matches(rule_json: dict[str, Any], tags: list[str]) -> bool:
    sel = rule_json["selection"]
    status = sel["tagStatus"]
    if status == "any":
        return True
    if status == "untagged":
        return not tags
    if not tags:
        return False
    # Every prefix starts some tag; every pattern ('*' = any run of characters) matches some tag whole.
    prefixes = all(any(t.startswith(p) for t in tags) for p in sel.get("tagPrefixList", []))
    patterns = all(any(fnmatch.fnmatchcase(t, p) for t in tags) for p in sel.get("tagPatternList", []))
    return prefixes and patterns


def reference(
    policy: dict[str, Any], images: list[dict[str, Any]], now: datetime, children: dict[str, list[str]]
) -> dict[str, Any]:
    """Decision, deciding rule, selecting rules and due-soon flag per digest; images and bytes per rule."""
    # A restored image counts from its restore when that is later than its push; the restore replaces a
    # pull older than it.
    pushed: dict[str, datetime] = {}
    pulled: dict[str, datetime] = {}
    for img in images:
        d, push = img["imageDigest"], img["imagePushedAt"]
        pull, restored = img.get("lastRecordedPullTime"), img.get("lastActivatedAt")
        pushed[d] = max(push, restored) if restored else push
        pulled[d] = pull if pull is not None else push
        if restored and (pull is None or pull < restored):
            pulled[d] = pushed[d]
    # Newest first; equal times keep their input order.
    ranked = sorted(images, key=lambda i: pushed[i["imageDigest"]], reverse=True)
    listed = {i["imageDigest"] for i in images}
    subject = {
        i["imageDigest"]: i["subjectManifestDigest"]
        for i in images
        if i.get("subjectManifestDigest") in listed and i["subjectManifestDigest"] != i["imageDigest"]
    }
    archived = {i["imageDigest"]: str(i.get("imageStatus", "")).upper() == "ARCHIVED" for i in images}

    decision: dict[str, tuple[int | None, str]] = {i["imageDigest"]: (None, "KEEP") for i in images}
    selected_by: dict[str, list[int]] = {i["imageDigest"]: [] for i in images}
    near: dict[str, int] = {}
    for r in sorted(policy["rules"], key=lambda r: r["rulePriority"]):
        sel, priority = r["selection"], r["rulePriority"]
        in_archive = sel.get("storageClass") == "archive" or sel["countType"] == "sinceImageTransitioned"
        mine = [
            i
            for i in ranked
            if i["imageDigest"] not in subject
            and archived[i["imageDigest"]] == in_archive
            and _matches(r, i.get("imageTags") or [])
        ]
        marking = "TRANSITION" if r["action"]["type"] == "transition" else "EXPIRE"
        for position, img in enumerate(mine):
            d = img["imageDigest"]
            if sel["countType"] == "imageCountMoreThan":
                due, soon = position >= sel["countNumber"], False
            else:
                t = {
                    "sinceImagePushed": pushed[d],
                    "sinceImagePulled": pulled[d],
                    "sinceImageTransitioned": img.get("lastArchivedAt") or pushed[d],
                }[sel["countType"]]
                limit = now - sel["countNumber"] * DAY
                due, soon = t < limit, limit <= t < limit + DAY
            if not selected_by[d]:  # the first rule that selects an image decides it
                decision[d] = (priority, marking if due else "KEEP")
                if soon:
                    near[d] = priority
            selected_by[d].append(priority)
    # A remaining index protects what it references; referrers follow their subject, and a referrer of a
    # referrer the image at the end of the chain.
    for parent, kids in children.items():
        if parent in decision and decision[parent][1] != "EXPIRE":
            for kid in kids:
                if kid in decision and decision[kid][1] != "KEEP":
                    decision[kid] = (decision[kid][0], "KEEP")

    def root(d: str) -> str:
        return root(subject[d]) if d in subject else d

    final = {d: decision[root(d)] for d in subject}
    decision.update(final)
    per_rule: dict[int, list[int]] = {}
    for img in images:
        d = img["imageDigest"]
        priority, what = decision[d]
        if what != "KEEP" and priority is not None:
            entry = per_rule.setdefault(priority, [0, 0])
            entry[0] += 1
            entry[1] += img.get("imageSizeInBytes", 0)
    return {
        "images": {
            i["imageDigest"]: (
                decision[i["imageDigest"]],
                selected_by[i["imageDigest"]],
                i["imageDigest"] in near and decision[i["imageDigest"]][1] == "KEEP",
            )
            for i in images
        },
        "order": [i["imageDigest"] for i in ranked],
        "marked": [i["imageDigest"] for i in ranked if decision[i["imageDigest"]][1] != "KEEP"],
        "per_rule": per_rule,
    }


@st.composite
def repositories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    count = draw(st.integers(min_value=0, max_value=30))
    archive = draw(st.booleans())  # half the repositories hold archived images
    images: list[dict[str, Any]] = []
    for i in range(count):
        extra: dict[str, Any] = {"imageSizeInBytes": draw(st.integers(0, 10**9))}
        # Whole days and hours around the thresholds, so ties and the 24-hour window both occur.
        days = draw(AGES) + draw(st.sampled_from([0, 0.25, 0.5, 0.99]))
        if draw(st.integers(0, 2)) == 0:
            extra["lastRecordedPullTime"] = NOW - timedelta(days=draw(AGES))
        if draw(st.integers(0, 4)) == 0:
            extra["lastActivatedAt"] = NOW - timedelta(days=draw(AGES))
        if archive and draw(st.integers(0, 4)) == 0:
            extra["imageStatus"] = "ARCHIVED"
            extra["lastArchivedAt"] = NOW - timedelta(days=draw(AGES))
        if i and draw(st.integers(0, 3)) == 0:  # an earlier image, maybe a referrer itself: chains
            extra["subjectManifestDigest"] = f"sha256:{draw(st.integers(0, i - 1)):04d}"
        tags = draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
        images.append(image(f"{i:04d}", tags, days, **extra))
    if len(images) > 0 and draw(st.booleans()):  # not `images and`: mypy would type the draw by `images`
        images[-1]["imageTags"] = None  # describe-images may also leave imageTags out (below)
    for img in images:
        if not img["imageTags"] and draw(st.booleans()):
            del img["imageTags"]
    children: dict[str, list[str]] = {}
    for i in range(0, count, 4):
        kids = [f"sha256:{k:04d}" for k in range(i + 1, min(i + 3, count))] + ["sha256:NOT-LISTED"]
        images[i]["imageManifestMediaType"] = OCI_INDEX
        children[images[i]["imageDigest"]] = kids
    return draw(st.permutations(images)), children


TAG_FILTERS = [
    {"tagPrefixList": ["v"]},
    {"tagPrefixList": ["prod", "prod-1"]},
    {"tagPatternList": ["*rc*"]},
    {"tagPatternList": ["v1*"]},
    {"tagPatternList": ["*-*"]},
    {"tagPatternList": ["latest", "*"]},
]


@st.composite
def policies(draw: st.DrawFn, ages: list[int]) -> dict[str, Any]:
    """Policies ECR accepts (the validator holds its rules: one rule per tag list or status and storage
    class, ``any`` last in its class, pulls only archive, archived images only by age, at least 90 days),
    with day counts that are often an image's age in whole days (``ages``), so images meet a rule, meet it
    within the 24-hour window, or miss it by hours."""
    days = st.one_of(st.sampled_from(ages), st.sampled_from(ages), DAYS) if ages else DAYS

    def standard(status: str, filters: dict[str, Any]) -> dict[str, Any]:
        kind = draw(st.sampled_from(["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled"]))
        if kind == "imageCountMoreThan":
            return rule(0, status, kind, draw(st.integers(1, 8)), **filters)
        archive = kind == "sinceImagePulled" or draw(st.booleans())
        return rule(0, status, kind, draw(days), action=ARCHIVE_ACTION if archive else None, **filters)

    def archived(status: str, filters: dict[str, Any]) -> dict[str, Any]:
        number = draw(st.integers(90, 100))
        return rule(0, status, "sinceImageTransitioned", number, storageClass="archive", **filters)

    rules: list[dict[str, Any]] = []
    tagged = draw(st.lists(st.sampled_from(TAG_FILTERS), max_size=3, unique_by=str))
    rules += [standard("tagged", f) for f in tagged]
    if draw(st.booleans()):
        rules.append(standard("untagged", {}))
    archived_tagged = draw(st.lists(st.sampled_from(TAG_FILTERS), max_size=2, unique_by=str))
    rules += [archived("tagged", f) for f in archived_tagged]
    if draw(st.booleans()):
        rules.append(archived("untagged", {}))
    last = draw(st.sampled_from(["none", "standard", "archive", "both"]))
    if last in ("standard", "both"):
        rules.append(standard("any", {}))
    if last in ("archive", "both"):
        rules.append(archived("any", {}))
    if not rules:
        rules.append(standard("any", {}))
    return {"rules": [{**r, "rulePriority": p} for p, r in enumerate(rules, start=1)]}


@settings(max_examples=400, deadline=None)
@given(repo=repositories(), data=st.data())
def test_the_fast_preview_decides_every_image_as_a_plain_reading_of_the_user_guide(
    repo: tuple[list[dict[str, Any]], dict[str, list[str]]], data: st.DataObject
) -> None:
    images, children = repo
    times = [i.get(k) for i in images for k in ("imagePushedAt", "lastRecordedPullTime", "lastActivatedAt")]
    ages = sorted({math.ceil((NOW - t) / DAY) for t in times if t is not None} - {0})
    policy = data.draw(policies(ages))
    validate_lifecycle_policy(policy)  # the generator makes only policies ECR accepts
    expected = reference(policy, images, NOW, children)
    result = preview_lifecycle_policy(policy, images, now=NOW, index_children=children)
    got = {
        r["imageDigest"]: ((r["appliedRulePriority"], r["decision"]), r["selectedBy"], r["dueSoon"])
        for r in result["imageReasons"]
    }
    assert got == expected["images"]
    assert [r["imageDigest"] for r in result["imageReasons"]] == expected["order"]
    assert [r["imageDigest"] for r in result["previewResults"]] == expected["marked"]
    per_rule = {r["rulePriority"]: [r["imageCount"], r["imageBytes"]] for r in result["rules"] if r["imageCount"]}
    assert per_rule == expected["per_rule"]
    assert result["summary"]["expiringImageTotalCount"] == sum(
        1 for (_, what), _, _ in expected["images"].values() if what == "EXPIRE"
    )
    assert all(r["imageTags"] == [] for r in result["imageReasons"] if r["imageDigest"] in _untagged(images))


def _untagged(images: list[dict[str, Any]]) -> set[str]:
    return {i["imageDigest"] for i in images if not i.get("imageTags")}


def test_a_chain_of_referrers_follows_the_image_at_its_end_in_any_input_order() -> None:
    # Referrers are acted on with their subject ("How lifecycle policies work"); a referrer may itself
    # have referrers (a signature of an SBOM of an attestation...), which follow in turn, however deep.
    policy = {"rules": [rule(1, "tagged", "sinceImagePushed", 30, tagPrefixList=["v"])]}
    chain = [image(f"R{k}", [], 1, subjectManifestDigest=f"sha256:R{k + 1}") for k in range(5)]
    chain[-1]["subjectManifestDigest"] = "sha256:IMAGE"
    images = [*chain, image("IMAGE", ["v1"], 100)]  # each referrer listed before its subject
    result = preview_lifecycle_policy(policy, images, now=NOW)
    reasons = {r["imageDigest"].removeprefix("sha256:"): r for r in result["imageReasons"]}
    assert {d: r["decision"] for d, r in reasons.items()} == dict.fromkeys(
        ["R0", "R1", "R2", "R3", "R4", "IMAGE"], "EXPIRE"
    )
    assert reasons["R0"]["reason"].startswith(
        "a referrer of R1: ECR acts on referrers with their subject, which expires"
    )
    assert reasons["R4"]["reason"].startswith("a referrer of IMAGE")
