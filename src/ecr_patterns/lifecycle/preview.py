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

    digests: list[str]
    tags: list[tuple[str, ...]]
    pushed_at: list[datetime]
    pushed: list[float]
    pulled: list[float]
    archived_at: list[float | None]
    archive: list[bool]


def _moment(value: Any, field: str, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError.single(
                field, value, "use an ISO 8601 time such as 2026-01-31T12:00:00Z", where=where
            ) from None
    else:
        raise ValidationError.single(field, value, "give a datetime or an ISO 8601 string", where=where)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # describe-images times are UTC


_ARCHIVED = frozenset({"ARCHIVED", "ARCHIVE", "ACTIVATING"})


def _load_images(image_details: Iterable[Any]) -> _Images:
    digests: list[str] = []
    tags: list[tuple[str, ...]] = []
    pushed_at: list[datetime] = []
    pushed: list[float] = []
    pulled: list[float] = []
    archived_at: list[float | None] = []
    archive: list[bool] = []
    problems: list[Violation] = []
    for i, image in enumerate(image_details):
        where = f"image #{i + 1}"
        try:
            digest = image["imageDigest"]
            raw = image["imagePushedAt"]
        except (KeyError, TypeError):
            if not isinstance(image, Mapping):
                problems.append(Violation("image", image, "each image is an object from describe-images", where))
            elif not image.get("imageDigest"):
                problems.append(
                    Violation("imageDigest", image.get("imageDigest"), "every image needs its digest", where)
                )
            else:
                problems.append(
                    Violation("imagePushedAt", None, "every image needs its push time", image["imageDigest"])
                )
            continue
        try:
            # Fast path for what boto3 returns: aware datetimes.
            moment = raw if type(raw) is datetime and raw.tzinfo is not None else _moment(raw, "imagePushedAt", where)
            pull_raw = image.get("lastRecordedPullTime")
            arch_raw = image.get("lastArchivedAt")
            pull = _moment(pull_raw, "lastRecordedPullTime", where).timestamp() if pull_raw is not None else None
            arch = _moment(arch_raw, "lastArchivedAt", where).timestamp() if arch_raw is not None else None
        except ValidationError as err:
            problems.extend(err.violations)
            continue
        ts = moment.timestamp()
        digests.append(digest)
        tags.append(tuple(image.get("imageTags") or ()))
        pushed_at.append(moment)
        pushed.append(ts)
        pulled.append(ts if pull is None else pull)
        archived_at.append(arch)
        status = image.get("imageStatus") or image.get("storageClass")
        archive.append(status is not None and str(status).upper() in _ARCHIVED)
    if problems:
        raise ValidationError(problems, context="image_details")
    # Newest first; sorted() stays stable with reverse=True, so ties keep their input order.
    order = sorted(range(len(digests)), key=pushed.__getitem__, reverse=True)
    return _Images(
        digests=[digests[i] for i in order],
        tags=[tags[i] for i in order],
        pushed_at=[pushed_at[i] for i in order],
        pushed=[pushed[i] for i in order],
        pulled=[pulled[i] for i in order],
        archived_at=[archived_at[i] for i in order],
        archive=[archive[i] for i in order],
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
    now_ts = (datetime.now(UTC) if now is None else _moment(now, "now", "now")).timestamp()
    images = _load_images(image_details)
    index = _TagIndex(images)
    every = range(len(images.digests))

    # Per image: the index (into ``outcomes``) of the first rule that selected it, and every
    # rule that selected it. An outcome is (rule, decision, reason) shared by many images.
    first: list[int] = [-1] * len(every)
    selected_by: list[list[int] | None] = [None] * len(every)
    outcomes: list[tuple[PolicyRule, str, str]] = []
    for rule in rules:
        priority = rule.rule_priority or 0
        sel = rule.selection
        chosen = _selected(rule, images, index, every)
        n = sel.count_number
        if sel.count_type is CountType.IMAGE_COUNT_MORE_THAN:
            cut = n  # chosen is newest first: positions >= n are due
            due_at = None
            kept_why = f"among the newest {n} of {len(chosen)} {_describe(rule)}"
            due_why = f"beyond the newest {n} of {len(chosen)} {_describe(rule)}"
        else:
            limit = now_ts - n * _DAY
            if sel.count_type is CountType.SINCE_IMAGE_TRANSITIONED:
                archived_at, pushed = images.archived_at, images.pushed
                due_at = [(archived_at[i] or pushed[i]) < limit for i in chosen]
            else:
                column = images.pulled if sel.count_type is CountType.SINCE_IMAGE_PULLED else images.pushed
                due_at = [column[i] < limit for i in chosen]
            cut = -1
            event = {
                CountType.SINCE_IMAGE_PUSHED: "pushed",
                CountType.SINCE_IMAGE_PULLED: "last pulled (or pushed)",
                CountType.SINCE_IMAGE_TRANSITIONED: "archived",
            }[sel.count_type]
            kept_why = f"{event} within the last {n} days"
            due_why = f"{event} more than {n} days ago"
        marking = "TRANSITION" if rule.action.type is ActionType.TRANSITION else "EXPIRE"
        verb = "archive" if marking == "TRANSITION" else "expire"
        keep_outcome, due_outcome = len(outcomes), len(outcomes) + 1
        outcomes.append((rule, "KEEP", f"rule {priority} selected it first and keeps it: {kept_why}"))
        outcomes.append((rule, marking, f"rule {priority} marks it to {verb}: {due_why}"))
        for position, i in enumerate(chosen):
            seen = selected_by[i]
            if seen is None:
                selected_by[i] = [priority]
            else:
                seen.append(priority)
                continue  # a higher-priority rule selected it first: never marked here
            is_due = position >= cut if due_at is None else due_at[position]
            first[i] = due_outcome if is_due else keep_outcome

    results: list[dict[str, Any]] = []
    image_reasons: list[dict[str, Any]] = []
    expiring = transitioning = 0
    unselected = "no rule selects it: kept"
    for i in every:
        tags = list(images.tags[i])
        if first[i] < 0:
            image_reasons.append(
                {
                    "imageDigest": images.digests[i],
                    "imageTags": tags,
                    "decision": "KEEP",
                    "appliedRulePriority": None,
                    "selectedBy": [],
                    "reason": unselected,
                }
            )
            continue
        rule, decision, reason = outcomes[first[i]]
        image_reasons.append(
            {
                "imageDigest": images.digests[i],
                "imageTags": tags,
                "decision": decision,
                "appliedRulePriority": rule.rule_priority,
                "selectedBy": selected_by[i],
                "reason": reason,
            }
        )
        if decision == "KEEP":
            continue
        if decision == "TRANSITION":
            transitioning += 1
            action_out = {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}
        else:
            expiring += 1
            action_out = {"type": "EXPIRE"}
        results.append(
            {
                "imageDigest": images.digests[i],
                "imageTags": tags,
                "imagePushedAt": images.pushed_at[i],
                "action": action_out,
                "appliedRulePriority": rule.rule_priority,
                "storageClass": "ARCHIVE" if images.archive[i] else "STANDARD",
            }
        )
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
