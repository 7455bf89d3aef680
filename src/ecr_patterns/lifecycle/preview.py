"""An offline preview of a lifecycle policy, evaluated the way ECR documents it (plain Python).

ECR's own ``GetLifecyclePolicyPreview`` runs only against a live repository, asynchronously.
This one takes the images as ``describe_images()`` returns them and answers at once, in the
same shape, plus a reason per image for people.

Semantics (ECR User Guide, "How lifecycle policies work"):

- every rule selects from the whole repository on its own (its storage class, its tag
  filter); then rules are applied in ascending ``rulePriority``;
- ``tagPrefixList``: an image matches when every prefix starts at least one of its tags;
  ``tagPatternList``: the same with ``*`` matching any run of characters (anchored at both
  ends); ``untagged``: no tags; ``any``: every image;
- ``imageCountMoreThan N``: the rule's images, newest push first; all after the first N are
  marked. The count includes images that higher-priority rules selected;
- ``sinceImagePushed N``: pushed strictly more than N days before ``now``;
  ``sinceImagePulled``: the last recorded pull, or the push if never pulled;
  ``sinceImageTransitioned``: the time the image was archived;
- an image is marked by at most one rule: once a rule selects an image, whether it marks or
  keeps it, no lower-priority rule marks it (they still count it).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ecr_patterns.errors import ValidationError, Violation
from ecr_patterns.lifecycle.model import (
    ActionType,
    CountType,
    LifecyclePolicy,
    PolicyRule,
    StorageClass,
    TagStatus,
)
from ecr_patterns.lifecycle.validate import validate_lifecycle_policy

_DAY = 86_400.0


@dataclass(frozen=True)
class _Images:
    """The images, newest push first, as parallel columns (fast to scan)."""

    details: list[Mapping[str, Any]]
    digests: list[str]
    tags: list[tuple[str, ...]]
    pushed: list[float]
    pulled: list[float]
    archived_at: list[float | None]
    archive: list[bool]


def _timestamp(value: Any, field: str, index: int) -> float:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError.single(
                field, value, "use an ISO 8601 time such as 2026-01-31T12:00:00Z", where=f"image #{index + 1}"
            ) from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    else:
        raise ValidationError.single(field, value, "give a datetime or an ISO 8601 string", where=f"image #{index + 1}")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # describe-images times are UTC
    return moment.timestamp()


def _load_images(image_details: Iterable[Any]) -> _Images:
    rows: list[tuple[float, int, Mapping[str, Any], str, tuple[str, ...], float, float, float | None, bool]] = []
    problems: list[Violation] = []
    for i, image in enumerate(image_details):
        if not isinstance(image, Mapping):
            problems.append(
                Violation("image", image, "each image is an object from describe-images", f"image #{i + 1}")
            )
            continue
        digest = image.get("imageDigest")
        if not isinstance(digest, str) or not digest:
            problems.append(Violation("imageDigest", digest, "every image needs its digest", f"image #{i + 1}"))
            continue
        if "imagePushedAt" not in image:
            problems.append(Violation("imagePushedAt", None, "every image needs its push time", digest))
            continue
        try:
            pushed = _timestamp(image["imagePushedAt"], "imagePushedAt", i)
            pull_raw = image.get("lastRecordedPullTime")
            pulled = pushed if pull_raw is None else _timestamp(pull_raw, "lastRecordedPullTime", i)
            arch_raw = image.get("lastArchivedAt")
            archived_at = None if arch_raw is None else _timestamp(arch_raw, "lastArchivedAt", i)
        except ValidationError as err:
            problems.extend(err.violations)
            continue
        status = str(image.get("imageStatus") or image.get("storageClass") or "ACTIVE").upper()
        archive = status in ("ARCHIVED", "ARCHIVE", "ACTIVATING")
        tags = tuple(image.get("imageTags") or ())
        rows.append((pushed, i, image, digest, tags, pushed, pulled, archived_at, archive))
    if problems:
        raise ValidationError(problems, context="image_details")
    rows.sort(key=lambda r: (-r[0], r[1]))  # newest first; input order breaks ties
    return _Images(
        details=[r[2] for r in rows],
        digests=[r[3] for r in rows],
        tags=[r[4] for r in rows],
        pushed=[r[5] for r in rows],
        pulled=[r[6] for r in rows],
        archived_at=[r[7] for r in rows],
        archive=[r[8] for r in rows],
    )


class _TagIndex:
    """Distinct tags → images, with a sorted list for prefixes and one text for patterns."""

    def __init__(self, images: _Images) -> None:
        by_tag: dict[str, list[int]] = {}
        for index, tags in enumerate(images.tags):
            for tag in tags:
                by_tag.setdefault(tag, []).append(index)
        self.by_tag = by_tag
        self.sorted_tags = sorted(by_tag)
        self.text = "\n".join(self.sorted_tags)
        self._cache: dict[tuple[str, str], frozenset[int]] = {}

    def images_with_prefix(self, prefix: str) -> frozenset[int]:
        key = ("prefix", prefix)
        if key not in self._cache:
            found: set[int] = set()
            tags = self.sorted_tags
            pos = bisect_left(tags, prefix)
            while pos < len(tags) and tags[pos].startswith(prefix):
                found.update(self.by_tag[tags[pos]])
                pos += 1
            self._cache[key] = frozenset(found)
        return self._cache[key]

    def images_matching(self, pattern: str) -> frozenset[int]:
        key = ("pattern", pattern)
        if key not in self._cache:
            # One C-speed scan over every distinct tag; '.' never crosses the newline between tags.
            regex = re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$", re.MULTILINE)
            found: set[int] = set()
            for tag in regex.findall(self.text):
                found.update(self.by_tag[tag])
            self._cache[key] = frozenset(found)
        return self._cache[key]


def _describe(rule: PolicyRule) -> str:
    sel = rule.selection
    if sel.tag_status is TagStatus.TAGGED:
        what = "images tagged " + " + ".join(
            [f"{p}*" for p in sel.tag_prefix_list or ()] + [f"'{p}'" for p in sel.tag_pattern_list or ()]
        )
    else:
        what = f"{sel.tag_status.value} images"
    if sel.effective_storage_class is StorageClass.ARCHIVE:
        what = "archived " + what
    return what


def _selected(rule: PolicyRule, images: _Images, index: _TagIndex, every: Sequence[int]) -> list[int]:
    """Indices (newest first) of the images this rule selects, before counting."""
    sel = rule.selection
    archive = sel.effective_storage_class is StorageClass.ARCHIVE
    if sel.tag_status is TagStatus.ANY:
        pool: Iterable[int] = every
    elif sel.tag_status is TagStatus.UNTAGGED:
        pool = (i for i in every if not images.tags[i])
    else:
        sets = [index.images_with_prefix(p) for p in sel.tag_prefix_list or ()]
        sets += [index.images_matching(p) for p in sel.tag_pattern_list or ()]
        pool = sorted(frozenset.intersection(*sets)) if sets else []
    is_archived = images.archive
    return [i for i in pool if is_archived[i] is archive]


def preview_lifecycle_policy(
    policy: Mapping[str, Any] | str | LifecyclePolicy,
    image_details: Iterable[Mapping[str, Any]],
    *,
    now: datetime | str | None = None,
) -> dict[str, Any]:
    """Evaluate ``policy`` against ``image_details`` offline, as ECR would.

    :param policy: policy JSON (dict or text) or a :class:`LifecyclePolicy`; it is validated
        first (``ValidationError`` when ECR would reject it).
    :param image_details: ``describe_images()["imageDetails"]``: ``imageDigest``, optional
        ``imageTags``, ``imagePushedAt`` (datetime or ISO 8601), optional
        ``lastRecordedPullTime``, ``imageStatus`` (``ARCHIVED`` for archive storage) and
        ``lastArchivedAt``.
    :param now: the evaluation time; default the current UTC time.
    :returns: ``{"previewResults": [...], "summary": {...}, "imageReasons": [...]}``, the first
        two shaped like ECR's ``GetLifecyclePolicyPreview`` response; ``imageReasons`` has one
        entry per image (newest first) with the decision, the rules that selected it and why.
    """
    model = policy if isinstance(policy, LifecyclePolicy) else validate_lifecycle_policy(policy)
    rules = sorted(model.rules, key=lambda r: r.rule_priority or 0)
    now_ts = datetime.now(UTC).timestamp() if now is None else _timestamp(now, "now", -1)
    images = _load_images(image_details)
    index = _TagIndex(images)
    every = range(len(images.digests))

    decided: list[int | None] = [None] * len(every)  # priority of the first rule that selected it
    marked: dict[int, PolicyRule] = {}
    reasons: dict[int, str] = {}
    selected_by: dict[int, list[int]] = {}
    for rule in rules:
        priority = rule.rule_priority or 0
        sel = rule.selection
        chosen = _selected(rule, images, index, every)
        n = sel.count_number
        if sel.count_type is CountType.IMAGE_COUNT_MORE_THAN:
            due = set(chosen[n:])
            kept_why = f"among the newest {n} of {len(chosen)} {_describe(rule)}"
            due_why = f"beyond the newest {n} of {len(chosen)} {_describe(rule)}"
        else:
            column = {
                CountType.SINCE_IMAGE_PUSHED: images.pushed,
                CountType.SINCE_IMAGE_PULLED: images.pulled,
            }.get(sel.count_type)
            limit = now_ts - n * _DAY
            if column is None:  # sinceImageTransitioned
                archived_at = images.archived_at
                due = {i for i in chosen if (archived_at[i] or images.pushed[i]) < limit}
            else:
                due = {i for i in chosen if column[i] < limit}
            event = {
                CountType.SINCE_IMAGE_PUSHED: "pushed",
                CountType.SINCE_IMAGE_PULLED: "last pulled (or pushed)",
                CountType.SINCE_IMAGE_TRANSITIONED: "archived",
            }[sel.count_type]
            kept_why = f"{event} within the last {n} days"
            due_why = f"{event} more than {n} days ago"
        action = "archive" if rule.action.type is ActionType.TRANSITION else "expire"
        for i in chosen:
            selected_by.setdefault(i, []).append(priority)
            if decided[i] is not None:
                continue
            decided[i] = priority
            if i in due:
                marked[i] = rule
                reasons[i] = f"rule {priority} marks it to {action}: {due_why}"
            else:
                reasons[i] = f"rule {priority} selected it first and keeps it: {kept_why}"

    results: list[dict[str, Any]] = []
    expiring = transitioning = 0
    for i in sorted(marked):
        rule = marked[i]
        if rule.action.type is ActionType.TRANSITION:
            transitioning += 1
            action_out = {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}
        else:
            expiring += 1
            action_out = {"type": "EXPIRE"}
        results.append(
            {
                "imageDigest": images.digests[i],
                "imageTags": list(images.tags[i]),
                "imagePushedAt": datetime.fromtimestamp(images.pushed[i], UTC),
                "action": action_out,
                "appliedRulePriority": rule.rule_priority,
                "storageClass": "ARCHIVE" if images.archive[i] else "STANDARD",
            }
        )
    image_reasons = [
        {
            "imageDigest": images.digests[i],
            "imageTags": list(images.tags[i]),
            "decision": (
                ("TRANSITION" if marked[i].action.type is ActionType.TRANSITION else "EXPIRE")
                if i in marked
                else "KEEP"
            ),
            "appliedRulePriority": decided[i],
            "selectedBy": selected_by.get(i, []),
            "reason": reasons.get(i, "no rule selects it: kept"),
        }
        for i in every
    ]
    return {
        "previewResults": results,
        "summary": {
            "expiringImageTotalCount": expiring,
            "transitioningImageTotalCounts": (
                [{"targetStorageClass": "ARCHIVE", "imageTotalCount": transitioning}] if transitioning else []
            ),
        },
        "imageReasons": image_reasons,
    }
