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


def _follow(
    d: str,
    s: str,
    decision: dict[str, tuple[int | None, str]],
    archived: dict[str, bool],
    in_class_for: timedelta,
) -> tuple[tuple[int | None, str], bool]:
    """A referrer's decision from its own subject's, and whether the 24-hour hold keeps it (image signing:
    lifecycle policies "automatically expire or archive those artifacts within 24 hours of the deletion or
    archival of the subject image"; "the artifact must also remain in its current storage class for at least
    24 hours before Amazon ECR lifecycle policies can clean it up")."""
    if s not in decision:  # not listed: deleted
        target: tuple[int | None, str] = (None, "EXPIRE")
    else:
        priority, what = decision[s]
        if what == "EXPIRE":
            target = (priority, "EXPIRE")
        elif what == "KEEP" and not archived[s]:
            target = (priority, "KEEP")
        else:  # archived in this run, or in archive already
            target = (priority if what == "TRANSITION" else None, "KEEP" if archived[d] else "TRANSITION")
    if target[1] != "KEEP" and in_class_for < DAY:
        return (target[0], "KEEP"), True
    return target, False


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
    # Newest first; equal times by digest, greater first (never by input order).
    ranked = sorted(images, key=lambda i: (pushed[i["imageDigest"]], i["imageDigest"]), reverse=True)
    # Every referrer, its subject listed or not; none is selected by a rule.
    subject = {
        i["imageDigest"]: i["subjectManifestDigest"]
        for i in images
        if i.get("subjectManifestDigest") and i["subjectManifestDigest"] != i["imageDigest"]
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
    held = _settle(images, now, children, subject, archived, pushed, decision)
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
                (i["imageDigest"] in near or i["imageDigest"] in held) and decision[i["imageDigest"]][1] == "KEEP",
            )
            for i in images
        },
        "order": [i["imageDigest"] for i in ranked],
        "marked": [i["imageDigest"] for i in ranked if decision[i["imageDigest"]][1] != "KEEP"],
        "per_rule": per_rule,
    }


def _settle(
    images: list[dict[str, Any]],
    now: datetime,
    children: dict[str, list[str]],
    subject: dict[str, str],
    archived: dict[str, bool],
    pushed: dict[str, datetime],
    decision: dict[str, tuple[int | None, str]],
) -> set[str]:
    """Referrers follow their subject, and "If an image is referenced by a manifest list, it cannot be expired
    or archived without the manifest list being deleted or archived first": an index that stays active (kept,
    not in archive) keeps what it references; one archived before or in this run, or expiring, does not.
    Both, again and again, until nothing changes. Returns the referrers the 24-hour hold keeps."""
    since = {
        i["imageDigest"]: (i.get("lastArchivedAt") or pushed[i["imageDigest"]])
        if archived[i["imageDigest"]]
        else pushed[i["imageDigest"]]
        for i in images
    }
    parents: dict[str, list[str]] = {}
    for parent, kids in children.items():
        for kid in kids:
            if parent in decision and kid in decision and kid != parent:
                parents.setdefault(kid, []).append(parent)
    protected: set[str] = set()
    held: set[str] = set()
    while True:
        changed = True
        while changed:  # every referrer agrees with its subject
            changed, held = False, set()
            for d, s in subject.items():
                if d in protected:
                    continue
                now_decided, kept_24h = _follow(d, s, decision, archived, now - since[d])
                if kept_24h:
                    held.add(d)
                if decision[d] != now_decided:
                    decision[d], changed = now_decided, True
        new = [
            k
            for k, ps in parents.items()
            if k not in protected
            and decision[k][1] != "KEEP"
            and any(decision[p][1] == "KEEP" and not archived[p] for p in ps)
        ]
        if not new:
            return held
        for k in new:
            protected.add(k)
            decision[k] = (decision[k][0], "KEEP")


@st.composite
def repositories(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Up to 30 images: restored, pulled, archived (indexes and referrers too), referrers in chains and
    referrers whose subject is gone; every fourth image an index of the next two, sometimes of the next index
    too (an index of indexes); the images and the indexes each in any order."""
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
        if archive and draw(st.integers(0, 3)) == 0:
            extra["imageStatus"] = "ARCHIVED"
            extra["lastArchivedAt"] = NOW - timedelta(days=draw(AGES) + draw(st.sampled_from([0, 0.5])))
        if i and draw(st.integers(0, 3)) == 0:  # an earlier image, maybe a referrer itself: chains
            extra["subjectManifestDigest"] = f"sha256:{draw(st.integers(0, i - 1)):04d}"
        elif draw(st.integers(0, 12)) == 0:  # its subject was deleted
            extra["subjectManifestDigest"] = "sha256:DELETED"
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
        if i + 4 < count and draw(st.booleans()):
            kids.append(f"sha256:{i + 4:04d}")  # the next index: an index of indexes
        images[i]["imageManifestMediaType"] = OCI_INDEX
        children[images[i]["imageDigest"]] = draw(st.permutations(kids))
    shuffled = dict(draw(st.permutations(list(children.items()))))
    return draw(st.permutations(images)), shuffled


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


@settings(max_examples=300, deadline=None)
@given(repo=repositories(), data=st.data())
def test_no_reordering_of_the_images_or_of_the_index_manifests_changes_any_part_of_the_result(
    repo: tuple[list[dict[str, Any]], dict[str, list[str]]], data: st.DataObject
) -> None:
    # describe-images and batch-get-image promise no order, and the User Guide decides no outcome by one: the
    # whole result, reasons included, is the same for every order of the images, the indexes and their lists.
    images, children = repo
    times = [i["imagePushedAt"] for i in images]
    policy = data.draw(policies(sorted({math.ceil((NOW - t) / DAY) for t in times} - {0})))
    first = preview_lifecycle_policy(policy, images, now=NOW, index_children=children)
    shuffled_children = {p: data.draw(st.permutations(kids)) for p, kids in children.items()}
    reordered = dict(data.draw(st.permutations(list(shuffled_children.items()))))
    again = preview_lifecycle_policy(policy, data.draw(st.permutations(images)), now=NOW, index_children=reordered)
    assert again == first
