"""Properties of the preview over generated repositories and policies (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_patterns.lifecycle import preview_lifecycle_policy

NOW = datetime(2026, 6, 1, tzinfo=UTC)
TAGS = ["prod-1", "prod-2", "dev-1", "dev-2", "rc", "v1.0", "v1.0-rc1", "latest"]


@st.composite
def repositories(draw: st.DrawFn) -> list[dict[str, Any]]:
    count = draw(st.integers(min_value=0, max_value=40))
    images = []
    for i in range(count):
        tags = draw(st.lists(st.sampled_from(TAGS), max_size=3, unique=True))
        age = draw(st.integers(min_value=0, max_value=60 * 24))  # hours
        images.append(
            {"imageDigest": f"sha256:{i:04d}", "imageTags": tags, "imagePushedAt": NOW - timedelta(hours=age)}
        )
    return images


@st.composite
def tagged_rules(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["tagPrefixList", "tagPatternList"]))
    values = ["prod", "dev", "v1", "rc", "latest"] if kind == "tagPrefixList" else ["prod*", "*rc*", "v1.*", "latest"]
    tags = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
    if draw(st.booleans()):
        sel = {"countType": "imageCountMoreThan", "countNumber": draw(st.integers(1, 10))}
    else:
        sel = {"countType": "sinceImagePushed", "countUnit": "days", "countNumber": draw(st.integers(1, 60))}
    return {"selection": {"tagStatus": "tagged", kind: tags, **sel}, "action": {"type": "expire"}}


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    rules = draw(st.lists(tagged_rules(), max_size=4, unique_by=lambda r: str(sorted(r["selection"].items()))))
    if draw(st.booleans()):
        rules.append(
            {
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": draw(st.integers(1, 30)),
                },
                "action": {"type": "expire"},
            }
        )
    rules.append(
        {
            "selection": {
                "tagStatus": "any",
                "countType": "imageCountMoreThan",
                "countNumber": draw(st.integers(1, 30)),
            },
            "action": {"type": "expire"},
        }
    )
    # Distinct tag lists per rule: drop later duplicates of the same list.
    seen, unique = set(), []
    for r in rules:
        sel = r["selection"]
        key = str([sel["tagStatus"], sorted(sel.get("tagPrefixList", [])), sorted(sel.get("tagPatternList", []))])
        if key not in seen:
            seen.add(key)
            unique.append(r)
    return {"rules": [{"rulePriority": i + 1, **r} for i, r in enumerate(unique)]}


@settings(max_examples=150, deadline=None)
@given(policy=policies(), images=repositories())
def test_an_image_is_marked_by_at_most_one_rule(policy: dict[str, Any], images: list[dict[str, Any]]) -> None:
    result = preview_lifecycle_policy(policy, images, now=NOW)
    digests = [r["imageDigest"] for r in result["previewResults"]]
    assert len(digests) == len(set(digests))
    assert result["summary"]["expiringImageTotalCount"] == len(digests)
    marked = {r["imageDigest"]: r["appliedRulePriority"] for r in result["previewResults"]}
    for reason in result["imageReasons"]:
        if reason["imageDigest"] in marked:
            # The marking rule is the first rule that selected the image.
            assert reason["selectedBy"][0] == marked[reason["imageDigest"]] == reason["appliedRulePriority"]


@settings(max_examples=150, deadline=None)
@given(policy=policies(), images=repositories(), keep=st.sampled_from(["prod", "dev", "v1"]))
def test_a_higher_priority_keep_rule_never_increases_expirations_among_its_images(
    policy: dict[str, Any], images: list[dict[str, Any]], keep: str
) -> None:
    protect = {
        "rulePriority": 1,
        "selection": {
            "tagStatus": "tagged",
            "tagPrefixList": [keep],
            "countType": "imageCountMoreThan",
            "countNumber": 9999,
        },
        "action": {"type": "expire"},
    }
    others = [r for r in policy["rules"] if r["selection"].get("tagPrefixList") != [keep]]
    shifted = {"rules": [protect] + [{**r, "rulePriority": r["rulePriority"] + 1} for r in others]}
    base = {"rules": others}
    selected = {i["imageDigest"] for i in images if any(t.startswith(keep) for t in i["imageTags"])}
    before = {r["imageDigest"] for r in preview_lifecycle_policy(base, images, now=NOW)["previewResults"]}
    after = {r["imageDigest"] for r in preview_lifecycle_policy(shifted, images, now=NOW)["previewResults"]}
    assert len(after & selected) <= len(before & selected)
    assert not after & selected  # with a count this high, it keeps every image it selects


@settings(max_examples=150, deadline=None)
@given(images=repositories(), n=st.integers(min_value=1, max_value=50))
def test_a_lone_any_count_rule_leaves_exactly_min_n_total_images(images: list[dict[str, Any]], n: int) -> None:
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": n},
                "action": {"type": "expire"},
            }
        ]
    }
    result = preview_lifecycle_policy(policy, images, now=NOW)
    assert len(images) - result["summary"]["expiringImageTotalCount"] == min(n, len(images))
    pushed = {i["imageDigest"]: i["imagePushedAt"] for i in images}
    kept = [pushed[r["imageDigest"]] for r in result["imageReasons"] if r["decision"] == "KEEP"]
    gone = [pushed[r["imageDigest"]] for r in result["previewResults"]]
    if kept and gone:
        assert min(kept) >= max(gone)  # the survivors are the newest


ALPHABET = "ab-.1"


@settings(max_examples=300, deadline=None)
@given(
    tags=st.lists(st.lists(st.text(ALPHABET, min_size=1, max_size=6), max_size=3), min_size=1, max_size=25),
    pattern=st.text(ALPHABET + "*", min_size=1, max_size=7).filter(lambda p: p.count("*") <= 4),
    as_prefix=st.booleans(),
)
def test_fast_tag_matching_agrees_with_a_plain_reading_of_the_docs(
    tags: list[list[str]], pattern: str, as_prefix: bool
) -> None:
    import re

    images = [
        {"imageDigest": f"sha256:{i}", "imageTags": t, "imagePushedAt": NOW - timedelta(days=30 + i)}
        for i, t in enumerate(tags)
    ]
    if as_prefix:
        pattern = pattern.replace("*", "") or "a"
        expected = {f"sha256:{i}" for i, t in enumerate(tags) if any(tag.startswith(pattern) for tag in t)}
        selection: dict[str, Any] = {"tagPrefixList": [pattern]}
    else:
        whole = re.compile("".join(".*" if c == "*" else re.escape(c) for c in pattern), re.DOTALL)
        expected = {f"sha256:{i}" for i, t in enumerate(tags) if any(whole.fullmatch(tag) for tag in t)}
        selection = {"tagPatternList": [pattern]}
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    **selection,
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            }
        ]
    }
    result = preview_lifecycle_policy(policy, images, now=NOW)
    assert {r["imageDigest"] for r in result["previewResults"]} == expected
