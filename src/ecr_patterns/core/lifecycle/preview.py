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
  keeps it, no lower-priority rule marks it (they still count it);
- a restored image's ``lastActivatedAt`` replaces its push time (for ordering and ``sinceImagePushed``)
  and a pull time older than the restore (for ``sinceImagePulled``);
- referrers (signatures, SBOMs, attestations: ``subjectManifestDigest`` set) are expired or archived
  with their subject, or expired when it is not listed (deleted), once 24 hours in their storage class;
  whether ECR also counts them in a rule is not documented: the preview does not (:mod:`settle`);
- an image that an index (manifest list) staying active references is never expired or archived
  (``ImageReferencedByManifestList``): ``index_children`` gives the references (:mod:`settle`);
- ECR acts within 24 hours of an image meeting a rule: an age rule's image that meets it within
  the next 24 hours is named due soon;
- equal times are ordered by digest, never by input order: no result depends on the listing's order.

docs/lifecycle-readings.md lists each reading taken where the documentation is silent.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import chain, compress, filterfalse, islice, repeat
from operator import attrgetter, eq, is_not, itemgetter, neg, not_
from typing import Any

from ecr_patterns.core._text import plural
from ecr_patterns.core.errors import Code, ValidationError, Violation
from ecr_patterns.core.lifecycle.model import (
    ActionType,
    CountType,
    LifecyclePolicy,
    PolicyRule,
    Selection,
    StorageClass,
    TagStatus,
)
from ecr_patterns.core.lifecycle.settle import Settle
from ecr_patterns.core.lifecycle.validate import validate_lifecycle_policy

_DAY = 86_400.0


def _consume(iterator: Iterator[Any]) -> None:
    """Run an iterator to its end at C speed (the ``consume`` recipe of ``itertools``)."""
    deque(iterator, maxlen=0)


@dataclass
class _Images:
    """The images, newest push first, as parallel columns (fast to scan). An image's position in these
    columns is its rank: 0 is the newest."""

    digests: Sequence[str]
    tags: Sequence[Sequence[str]]
    untagged: Sequence[bool]
    pushed_at: Sequence[datetime]
    pushed: Sequence[float]
    pulled_source: Callable[[], Sequence[float]]
    """Computes ``pulled``: epoch seconds of the last pull, else the push (or restore)."""
    archived_at: Sequence[float | None]
    archive: Sequence[bool]
    sizes: Sequence[int]
    referrers: list[tuple[str, str]]
    """(referrer digest, subject digest) of every image with a ``subjectManifestDigest``."""
    index_digests: frozenset[str]
    """Digests of the image indexes (manifest lists), by their manifest media type."""
    by_tag: dict[str, list[int]]
    """Each distinct tag's images (ranks)."""
    input_digests: Sequence[str]
    """The digests in input order; ``rank`` gives each one's position in the columns."""
    rank: Sequence[int]

    def positions(self, wanted: set[str]) -> dict[str, int]:
        """The rank of each image whose digest is ``wanted``."""
        found = list(compress(range(len(self.rank)), map(wanted.__contains__, self.input_digests)))
        return dict(zip(map(self.input_digests.__getitem__, found), map(self.rank.__getitem__, found), strict=True))

    @cached_property
    def pulled(self) -> Sequence[float]:
        return self.pulled_source()

    @cached_property
    def any_archived(self) -> bool:
        return any(self.archive)


def _moment(value: Any, field: str, where: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # Epoch seconds, as AWS CLI v1 prints times by default ("imagePushedAt": 1761391200.0).
        moment = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError.single(
                field, value, "use an ISO 8601 time such as 2026-01-31T12:00:00Z", where=where, code=Code.PREVIEW_TIME
            ) from None
    else:
        raise ValidationError.single(
            field, value, "give a datetime, an ISO 8601 string or epoch seconds", where=where, code=Code.PREVIEW_TIME
        )
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # describe-images times are UTC


_ARCHIVED = frozenset({"ARCHIVED", "ARCHIVE", "ACTIVATING"})


def _image_problems(details: Sequence[Any]) -> list[Violation]:
    """Why images cannot be read (the slow path, only taken when something is wrong)."""
    problems: list[Violation] = []
    for i, image in enumerate(details):
        where = f"image #{i + 1}"
        if not isinstance(image, Mapping):
            problems.append(
                Violation(
                    "image", image, "each image is an object from describe-images", where, code=Code.PREVIEW_IMAGE
                )
            )
            continue
        digest = image.get("imageDigest")
        if not isinstance(digest, str) or not digest:
            problems.append(
                Violation("imageDigest", digest, "every image needs its digest", where, code=Code.PREVIEW_IMAGE)
            )
            continue
        if "imagePushedAt" not in image:
            problems.append(
                Violation("imagePushedAt", None, "every image needs its push time", digest, code=Code.PREVIEW_IMAGE)
            )
            continue
        for field in ("imagePushedAt", "lastRecordedPullTime", "lastArchivedAt", "lastActivatedAt"):
            if image.get(field) is not None:
                try:
                    _moment(image[field], field, digest)
                except ValidationError as err:
                    problems.extend(err.violations)
    return problems


_TZINFO = attrgetter("tzinfo")
_DIGEST = itemgetter("imageDigest")
_PUSHED = itemgetter("imagePushedAt")
_GET = dict.get


def _all_aware(values: Sequence[Any]) -> bool:
    """Whether every value is a timezone-aware datetime, checked at C speed (what boto3 returns)."""
    # `in` on the map compares, never hashes: tzinfo objects need not be hashable (dateutil's, which boto3 uses).
    return set(map(type, values)) <= {datetime} and None not in map(_TZINFO, values)


def _aware(values: list[Any], field: str) -> list[datetime]:
    if _all_aware(values):
        return values
    if set(map(type, values)) <= {str}:
        # describe-images JSON: ISO 8601 with an offset (or Z), parsed at C speed; anything else (naive
        # times, other forms, errors to name) takes the checked path below.
        try:
            moments = list(map(datetime.fromisoformat, values))
        except ValueError:
            pass
        else:
            if None not in map(_TZINFO, moments):
                return moments
    return [_moment(v, field, "image") for v in values]


def _column(details: list[dict[str, Any]], key: str, default: Any = None) -> list[Any]:
    """One field of every image (``default`` where it is missing), read at C speed."""
    return list(map(_GET, details, repeat(key), repeat(default)))


def _given_times(values: list[Any], field: str) -> tuple[list[int], list[datetime]]:
    """The positions of the optional times that are given (not ``None``) and those times, checked and aware."""
    positions = list(compress(range(len(values)), map(is_not, values, repeat(None))))  # C-speed filter
    return positions, _aware(list(map(values.__getitem__, positions)), field)


def _with_seconds(times: list[Any], positions: list[int], moments: list[datetime]) -> list[Any]:
    """``times`` with the epoch seconds of ``moments`` written at their ``positions``, at C speed."""
    _consume(map(times.__setitem__, positions, map(datetime.timestamp, moments)))
    return times


INDEX_MEDIA_TYPES = frozenset(
    {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}
)
"""Manifest media types of an image index (OCI) or a manifest list (Docker)."""

_UNREADABLE = (KeyError, TypeError, AttributeError, ValueError, OverflowError, ValidationError)


def _load_images(image_details: Iterable[Any]) -> _Images:
    details = image_details if isinstance(image_details, list) else list(image_details)
    try:
        return _columns(details)
    except _UNREADABLE:
        pass
    if all(isinstance(d, Mapping) for d in details) and not all(isinstance(d, dict) for d in details):
        # Mappings other than dicts (boto3 and json give dicts): read through dict copies.
        try:
            return _columns([dict(d) for d in details])
        except _UNREADABLE:
            pass
    problems = _image_problems(details) or [Violation("image_details", "?", "cannot be read", code=Code.PREVIEW_IMAGE)]
    raise ValidationError(problems, context="image_details") from None


def _columns(details: list[dict[str, Any]]) -> _Images:
    """The images as columns: one C-speed pass per field (only for the fields some image has), then one sort
    of the positions and one reordering per column."""
    count = len(details)
    present: set[str] = set().union(*details) if details else set()
    times = _Times(details, count, present)
    digests_in = list(map(_DIGEST, details))
    # str.__len__ refuses anything but a string (TypeError) and is 0 for an empty one: both checks in one pass.
    if not all(map(str.__len__, digests_in)):
        raise TypeError("digest")
    order = _newest_first(times.effective, digests_in)
    ordered = _in_order(order)
    # Per-image work runs in input order, which is the order the objects sit in memory: the same loops
    # in rank order take two to three times longer (cache misses, measured). rank[i] is image i's position.
    rank = [0] * count
    _consume(map(rank.__setitem__, order, range(count)))
    tags_in = _tags(details)
    absent: Sequence[Any] = (None,) * count
    archived = (
        ordered(_with_seconds([None] * count, *_given_times(_column(details, "lastArchivedAt"), "lastArchivedAt")))
        if "lastArchivedAt" in present
        else absent
    )
    archive = (
        _archive_flags(details, present, ordered) if ("imageStatus" in present or "storageClass" in present) else None
    )
    return _Images(
        digests=ordered(digests_in),
        tags=ordered(tags_in),
        untagged=ordered(list(map(not_, tags_in))),
        pushed_at=ordered(times.pushed_in),
        pushed=ordered(times.effective),
        pulled_source=lambda: ordered(times.pulled()),
        archived_at=archived,
        archive=archive if archive is not None else [False] * count,
        sizes=ordered(_column(details, "imageSizeInBytes", 0)) if "imageSizeInBytes" in present else (0,) * count,
        referrers=_referrers(details, digests_in, present),
        index_digests=_index_digests(details, digests_in, present),
        by_tag=_by_tag(tags_in, rank),
        input_digests=digests_in,
        rank=rank,
    )


class _Times:
    """Push, restore and pull times in input order, read and checked at once; the pull times' epoch seconds
    are computed when a rule first reads them (:meth:`pulled`)."""

    def __init__(self, details: list[dict[str, Any]], count: int, present: set[str]) -> None:
        self.pushed_in = _aware(list(map(_PUSHED, details)), "imagePushedAt")
        self.effective = list(map(datetime.timestamp, self.pushed_in))
        """Epoch seconds of the push, or of the restore when that is later."""
        pulls_in = _column(details, "lastRecordedPullTime") if "lastRecordedPullTime" in present else [None] * count
        self.pull_positions, self.pulls = _given_times(pulls_in, "lastRecordedPullTime")
        self.stale_pulls: list[int] = []
        """Images whose last pull is older than their restore: the restore replaces it."""
        if "lastActivatedAt" in present:
            self._restores(details, count, pulls_in)

    def _restores(self, details: list[dict[str, Any]], count: int, pulls_in: list[Any]) -> None:
        # A restored image counts from its restore (lastActivatedAt) when that is later than its push, and
        # its restore replaces a pull older than it. Only the (few) restored images are touched.
        effective = self.effective
        activated = _column(details, "lastActivatedAt")
        for k in compress(range(count), map(is_not, activated, repeat(None))):  # C-speed filter
            restored = _moment(activated[k], "lastActivatedAt", str(details[k].get("imageDigest"))).timestamp()
            if restored > effective[k]:
                effective[k] = restored
            pull = pulls_in[k]
            if pull is not None and _moment(pull, "lastRecordedPullTime", "image").timestamp() < restored:
                self.stale_pulls.append(k)

    def pulled(self) -> list[Any]:
        """In input order: the last pull, else the push (or restore): a never-pulled image counts from its push."""
        times = _with_seconds(list(self.effective), self.pull_positions, self.pulls)
        for k in self.stale_pulls:
            times[k] = self.effective[k]
        return times


def _archive_flags(
    details: list[dict[str, Any]], present: set[str], ordered: Callable[[list[Any]], Sequence[Any]]
) -> list[bool]:
    """Whether each image (by rank) is in archive storage: judged once per distinct status, not per image."""
    statuses = _column(details, "imageStatus")
    if "storageClass" in present:
        statuses = [s or d.get("storageClass") for s, d in zip(statuses, details, strict=True)]
    kinds = {s: s is not None and str(s).upper() in _ARCHIVED for s in set(statuses)}
    return list(map(kinds.__getitem__, ordered(statuses)))


def _newest_first(effective: list[float], digests: list[str]) -> list[int]:
    """Positions, newest first. Equal times (the guide's Example B lists D and E as both "Pushed: 1 day ago")
    are ordered by digest, greater first, never by input order: a result must not depend on the listing."""
    count = len(effective)
    order = sorted(range(count), key=effective.__getitem__, reverse=True)
    if len(set(effective)) == count:
        return order
    times = list(map(effective.__getitem__, order))
    # k where times[k] equals times[k - 1], found at C speed; only the runs of equal times are sorted again.
    tied = list(compress(range(1, count), map(eq, times, islice(times, 1, None))))
    k = 0
    while k < len(tied):
        start = end = tied[k]
        while k + 1 < len(tied) and tied[k + 1] == end + 1:
            k += 1
            end = tied[k]
        order[start - 1 : end + 1] = sorted(order[start - 1 : end + 1], key=digests.__getitem__, reverse=True)
        k += 1
    return order


def _in_order(order: list[int]) -> Callable[[list[Any]], Sequence[Any]]:
    """Puts a column in ``order`` at C speed."""
    pick = itemgetter(*order) if len(order) > 1 else None

    def ordered(values: list[Any]) -> Sequence[Any]:
        return pick(values) if pick is not None else tuple(values)

    return ordered


def _tags(details: list[dict[str, Any]]) -> list[Any]:
    """Every image's tag list; untagged images (describe-images leaves imageTags out) share one empty list."""
    no_tags: list[str] = []
    tags_in = _column(details, "imageTags", no_tags)
    if not set(map(type, tags_in)) <= {list}:  # a null, or tags as another sequence: lists
        tags_in = [no_tags if t is None else t if type(t) is list else list(t) for t in tags_in]
    return tags_in


def _by_tag(tags_in: list[Any], rank: list[int]) -> dict[str, list[int]]:
    by_tag: defaultdict[str, list[int]] = defaultdict(list)
    for tag_list, position in compress(zip(tags_in, rank, strict=True), tags_in):
        for tag in tag_list:
            by_tag[tag].append(position)
    return by_tag


def _referrers(details: list[dict[str, Any]], digests_in: list[str], present: set[str]) -> list[tuple[str, str]]:
    if "subjectManifestDigest" not in present:
        return []
    subjects = _column(details, "subjectManifestDigest")
    positions = list(compress(range(len(details)), subjects))  # C-speed filter: the images that have a subject
    return list(zip(map(digests_in.__getitem__, positions), map(subjects.__getitem__, positions), strict=True))


def _index_digests(details: list[dict[str, Any]], digests_in: list[str], present: set[str]) -> frozenset[str]:
    if "imageManifestMediaType" not in present:
        return frozenset()
    media = _column(details, "imageManifestMediaType")
    return frozenset(compress(digests_in, map(INDEX_MEDIA_TYPES.__contains__, media)))


class _TagIndex:
    """Distinct tags → images: a sorted list for prefixes, and one text to search for the
    literal parts of patterns at C speed."""

    def __init__(self, images: _Images) -> None:
        self.by_tag = images.by_tag  # built with the columns, in input order
        self.sorted_tags = sorted(self.by_tag)
        self._text: str | None = None
        self._cache: dict[tuple[str, str], frozenset[int]] = {}

    def _tags_with_prefix(self, prefix: str) -> list[str]:
        tags = self.sorted_tags
        start = bisect_left(tags, prefix)
        end = start
        while end < len(tags) and tags[end].startswith(prefix):
            end += 1
        return tags[start:end]

    def _images(self, tags: Iterable[str]) -> frozenset[int]:
        # map + chain + frozenset: the union of every tag's images at C speed.
        return frozenset(chain.from_iterable(map(self.by_tag.__getitem__, tags)))

    def images_with_prefix(self, prefix: str) -> frozenset[int]:
        key = ("prefix", prefix)
        if key not in self._cache:
            self._cache[key] = self._images(self._tags_with_prefix(prefix))
        return self._cache[key]

    def images_matching(self, pattern: str) -> frozenset[int]:
        key = ("pattern", pattern)
        if key not in self._cache:
            parts = pattern.split("*")
            if len(parts) == 1:  # no wildcard: the exact tag
                candidates = [pattern] if pattern in self.by_tag else []
            elif parts[0]:  # a literal head narrows to one sorted range
                candidates = self._tags_with_prefix(parts[0])
            elif max(parts, key=len):
                # No literal head: one C-speed scan of every distinct tag (one per line) for whole-line
                # matches of the pattern itself, with '*' as any run of characters within the line. The
                # line's leading newline is the regex's literal first character, which the engine finds by a
                # fast search instead of trying a match at every character (three times faster, measured).
                if self._text is None:
                    self._text = "\n" + "\n".join(self.sorted_tags) + "\n"
                line = "\n(" + "[^\n]*".join(re.escape(p) for p in parts) + ")(?=\n)"
                self._cache[key] = self._images(re.findall(line, self._text))
                return self._cache[key]
            else:  # only wildcards
                candidates = self.sorted_tags
            regex = re.compile(".*".join(re.escape(p) for p in parts), re.DOTALL)
            self._cache[key] = self._images(filter(regex.fullmatch, candidates))
        return self._cache[key]


def _describe(rule: PolicyRule, count: int) -> str:
    """``3 images tagged prod*``, ``1 untagged image``, ``2 archived images``: what the rule selects."""
    sel = rule.selection
    archived = "archived " if sel.effective_storage_class is StorageClass.ARCHIVE else ""
    if sel.tag_status is TagStatus.TAGGED:
        tags = " + ".join([f"{p}*" for p in sel.tag_prefix_list or ()] + [f"'{p}'" for p in sel.tag_pattern_list or ()])
        return f"{plural(count, archived + 'image')} tagged {tags}"
    status = "untagged " if sel.tag_status is TagStatus.UNTAGGED else ""
    return plural(count, f"{archived}{status}image")


def _selected(
    rule: PolicyRule, images: _Images, index: _TagIndex, every: Sequence[int], followers: frozenset[int]
) -> Collection[int]:
    """Ranks of the images this rule selects, before counting (newest first for count rules; a set for
    age rules, which need no order).
    ``followers`` (referrers whose subject is listed) are never selected: they follow their subject
    (``every`` leaves them out already)."""
    sel = rule.selection
    archive = sel.effective_storage_class is StorageClass.ARCHIVE
    pool: Collection[int]
    if sel.tag_status is TagStatus.ANY:
        pool = every
    elif sel.tag_status is TagStatus.UNTAGGED:
        untagged = images.untagged
        pool = list(compress(every, untagged if isinstance(every, range) else map(untagged.__getitem__, every)))
    else:
        sets = [index.images_with_prefix(p) for p in sel.tag_prefix_list or ()]
        sets += [index.images_matching(p) for p in sel.tag_pattern_list or ()]
        matched = frozenset.intersection(*sets) if sets else frozenset()
        if followers:
            matched = matched - followers
        # Only count rules need newest-first order (indices are newest first).
        pool = sorted(matched) if sel.count_type is CountType.IMAGE_COUNT_MORE_THAN else matched
    if not images.any_archived:
        return () if archive else pool
    is_archived = images.archive
    return [i for i in pool if is_archived[i] is archive]


def preview_lifecycle_policy(
    policy: Mapping[str, Any] | str | LifecyclePolicy,
    image_details: Iterable[Mapping[str, Any]],
    *,
    now: datetime | str | float | None = None,
    index_children: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Any]:
    """Evaluate ``policy`` against ``image_details`` offline, as ECR would.

    :param policy: policy JSON (dict or text) or a :class:`LifecyclePolicy`; it is validated
        first, whatever its form (``ValidationError`` when ECR would reject it).
    :param image_details: ``describe_images()["imageDetails"]`` of every page and every image status:
        ``imageDigest``, optional ``imageTags``, ``imagePushedAt`` (datetime, ISO 8601 or epoch seconds),
        optional ``lastRecordedPullTime``, ``imageStatus`` (``ARCHIVED`` for archive storage),
        ``lastArchivedAt``, ``lastActivatedAt``, ``subjectManifestDigest``, ``imageSizeInBytes`` and
        ``imageManifestMediaType``.
    :param now: the evaluation time; default ``None``: the current UTC time.
    :param index_children: default ``None``: for each image index (manifest list) digest, the digests it
        references (what ``batch-get-image`` shows in its manifest). Images a remaining index references
        are never expired or archived; indexes without an entry are listed in ``unresolvedIndexes``, and
        the images they might protect in ``couldNotRuleOut``.
    :returns: ``previewResults`` and ``summary`` shaped like ECR's ``GetLifecyclePolicyPreview``
        response; ``imageReasons``, one entry per image (newest first) with the decision, the rules that
        selected it, why, and ``dueSoon``; ``rules``, per rule its action, images and bytes; ``totals``
        (bytes expiring and archiving, images due soon); ``unresolvedIndexes`` and ``couldNotRuleOut``.
        Equal nested values (an image's tag list, the action objects) are shared between entries, not
        copied: treat the result as read-only, or ``copy.deepcopy`` it before changing it.
    """
    model = validate_lifecycle_policy(policy.to_json() if isinstance(policy, LifecyclePolicy) else policy)
    # The preview allocates a few hundred thousand short-lived, acyclic objects; pausing the
    # cyclic garbage collector meanwhile saves a third of the run time on 100,000 images.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _preview(model, image_details, now, index_children)
    finally:
        if collecting:
            gc.enable()


def _kept_by_count(n: int, rule: PolicyRule, total: int) -> str:
    if total <= n:
        return f"one of only {_describe(rule, total)}; the rule keeps the newest {n}"
    return f"among the newest {n} of the {_describe(rule, total)}"


def _preview(
    model: LifecyclePolicy,
    image_details: Iterable[Any],
    now: datetime | str | float | None,
    index_children: Mapping[str, Iterable[str]] | None,
) -> dict[str, Any]:
    """The phases: read the images into columns and index their tags; link referrers and indexes to the
    images they name; let each rule select and judge on its own; decide each image by the first rule that
    selects it; settle referrers and what a remaining index references (:mod:`settle`); build the result."""
    rules = sorted(model.rules, key=lambda r: r.rule_priority or 0)
    now_ts = (datetime.now(UTC) if now is None else _moment(now, "now", "now")).timestamp()
    images = _load_images(image_details)
    index = _TagIndex(images)
    links = _links(images, index_children)
    plan = _plan(rules, images, index, links, now_ts)
    # Each image's outcome, as an index into plan.outcomes: the changes below add outcomes of their own.
    ids, selected_by, due_soon = _decide(plan, len(images.digests))
    due_soon |= _settle(images, links, plan.outcomes, ids, now_ts)
    unresolved = _unresolved(images, index_children)
    return _result(rules, images, plan.outcomes, ids, selected_by, due_soon, unresolved)


@dataclass
class _Links:
    """How images name one another."""

    position_of: dict[str, int]
    """Positions of the digests that referrers and indexes name (not of every image: fewer dict inserts)."""
    subject_of: dict[int, int]
    """Each referrer whose subject is listed, and that subject."""
    orphans: dict[int, str]
    """Each referrer whose subject is not listed (deleted), and the subject's digest."""
    followers: frozenset[int]
    """Every referrer: no rule selects them, they follow their subject."""
    every: Sequence[int]
    """The images a rule may select: all but the followers."""
    parents_of: dict[int, list[int]]
    """Each listed image that a listed index references, and those indexes."""


def _links(images: _Images, index_children: Mapping[str, Iterable[str]] | None) -> _Links:
    every: Sequence[int] = range(len(images.digests))
    wanted = {digest for pair in images.referrers for digest in pair}
    if index_children:
        wanted.update(index_children)
        for kids in index_children.values():
            wanted.update(kids)
    position_of: dict[str, int] = {}
    if wanted:  # C-speed: the (digest, position) pairs whose digest is wanted
        position_of = images.positions(wanted)
    subject_of: dict[int, int] = {}
    orphans: dict[int, str] = {}
    for referrer, subject in images.referrers:
        if subject == referrer:
            continue  # names itself: no referrer of anything
        if subject in position_of:
            subject_of[position_of[referrer]] = position_of[subject]
        else:
            orphans[position_of[referrer]] = subject
    followers = frozenset(subject_of).union(orphans)
    if followers:
        every = list(filterfalse(followers.__contains__, every))
    return _Links(position_of, subject_of, orphans, followers, every, _parents_of(index_children, position_of))


def _parents_of(
    index_children: Mapping[str, Iterable[str]] | None, position_of: dict[str, int]
) -> dict[int, list[int]]:
    parents_of: defaultdict[int, list[int]] = defaultdict(list)
    for parent, kids in (index_children or {}).items():
        p = position_of.get(parent)
        if p is None:
            continue  # the index is gone: it protects nothing
        for kid in kids:
            k = position_of.get(kid)
            if k is not None and k != p:
                parents_of[k].append(p)
    return dict(parents_of)


_Outcome = tuple[int | None, str, str]
"""(rule priority, decision, reason): what happens to an image and why, shared by many images."""


@dataclass
class _Plan:
    """What each rule, selecting from the whole repository on its own, would do."""

    outcomes: list[_Outcome]
    plans: list[tuple[int, Collection[int], list[int]]]
    """Per rule in priority order: its priority, the images it selects (ranks: newest first for count rules)
    and the outcome (an index into ``outcomes``) it gives each of them."""
    soon_candidates: list[tuple[int, list[int]]]
    """Per age rule: its keep outcome and the images it keeps now that meet it within 24 hours."""


def _plan(rules: list[PolicyRule], images: _Images, index: _TagIndex, links: _Links, now_ts: float) -> _Plan:
    plan = _Plan([(None, "KEEP", "no rule selects it: kept")], [], [])
    outcomes = plan.outcomes
    for rule in rules:
        priority = rule.rule_priority or 0
        chosen = _selected(rule, images, index, links.every, links.followers)
        keep_outcome, due_outcome = len(outcomes), len(outcomes) + 1
        if rule.selection.count_type is CountType.IMAGE_COUNT_MORE_THAN:
            given, kept_why, due_why = _by_count(rule, chosen, keep_outcome, due_outcome)
        else:
            given, near = _by_age(rule.selection, chosen, images, now_ts, keep_outcome, due_outcome)
            if near:
                plan.soon_candidates.append((keep_outcome, near))
            kept_why, due_why = _age_reasons(rule.selection)
        marking = "TRANSITION" if rule.action.type is ActionType.TRANSITION else "EXPIRE"
        verb = "archive" if marking == "TRANSITION" else "expire"
        outcomes.append((priority, "KEEP", f"rule {priority} selected it first and keeps it: {kept_why}"))
        outcomes.append((priority, marking, f"rule {priority} marks it to {verb}: {due_why}"))
        plan.plans.append((priority, chosen, given))
    return plan


def _by_count(rule: PolicyRule, chosen: Collection[int], keep: int, due: int) -> tuple[list[int], str, str]:
    """A count rule's outcome for each image it selects (newest first: the first n are kept, the rest are due),
    and why it keeps or marks them."""
    n = rule.selection.count_number
    kept = min(n, len(chosen))
    given = [keep] * kept + [due] * (len(chosen) - kept)
    return given, _kept_by_count(n, rule, len(chosen)), f"beyond the newest {n} of the {_describe(rule, len(chosen))}"


def _by_age(
    sel: Selection, chosen: Collection[int], images: _Images, now_ts: float, keep: int, due: int
) -> tuple[list[int], list[int]]:
    """An age rule's outcome for each image it selects, and the images it keeps now that meet it within 24 hours."""
    n = sel.count_number
    limit, soon = now_ts - n * _DAY, now_ts + _DAY - n * _DAY
    if sel.count_type is CountType.SINCE_IMAGE_PUSHED:
        # Ranks are newest first, so the images pushed before a moment are every rank from one on:
        # two binary searches instead of a time per image.
        due_from = bisect_right(images.pushed, -limit, key=neg)
        soon_from = bisect_right(images.pushed, -soon, key=neg, hi=due_from)
        given = [due if i >= due_from else keep for i in chosen]
        near = (
            [i for i in range(soon_from, due_from) if i in chosen]
            if isinstance(chosen, frozenset)
            else [i for i in chosen if soon_from <= i < due_from]
        )
        return given, near
    if sel.count_type is CountType.SINCE_IMAGE_TRANSITIONED:
        archived_at, pushed = images.archived_at, images.pushed
        times = [(archived_at[i] or pushed[i]) for i in chosen]
    else:
        times = list(map(images.pulled.__getitem__, chosen))
    given = [due if t < limit else keep for t in times]
    return given, [i for i, t in zip(chosen, times, strict=True) if limit <= t < soon]


_EVENTS = {
    CountType.SINCE_IMAGE_PUSHED: "pushed (or restored)",
    CountType.SINCE_IMAGE_PULLED: "last pulled (or pushed, or restored)",
    CountType.SINCE_IMAGE_TRANSITIONED: "archived",
}


def _age_reasons(sel: Selection) -> tuple[str, str]:
    """Why an age rule keeps an image, and why it marks one."""
    n, event = sel.count_number, _EVENTS[sel.count_type]
    kept_why = f"{event} within the last {plural(n, 'day')}"
    if sel.count_type is CountType.SINCE_IMAGE_PULLED:
        # The pull that keeps it may be a scanner's (User Guide, "Pull-time update exclusions").
        kept_why += (
            "; ECR records every pull but Amazon Inspector's, so a scanner's pull keeps it too unless its "
            "role is a pull-time update exclusion"
        )
    return kept_why, f"{event} more than {plural(n, 'day')} ago"


def _decide(plan: _Plan, count: int) -> tuple[list[int], list[list[int]], set[int]]:
    """Each image's outcome, the priorities of the rules that selected it, and the images due soon.

    An image is decided by the first rule that selects it, whether that rule marks or keeps it; a
    lower-priority rule still counts it (in its plan) and is listed among the rules that selected it.
    Both are C-speed passes: outcomes written from the lowest priority up, so the highest wins."""
    first: list[int] = [0] * count
    for _, chosen, given in reversed(plan.plans):
        _consume(map(first.__setitem__, chosen, given))
    selected_by: list[list[int]] = [[] for _ in first]
    for priority, chosen, _ in plan.plans:
        _consume(map(list.append, map(selected_by.__getitem__, chosen), repeat(priority)))
    # Kept by their rule now, due by it within ECR's 24-hour window.
    due_soon = {i for keep_outcome, near in plan.soon_candidates for i in near if first[i] == keep_outcome}
    return first, selected_by, due_soon


def _unresolved(images: _Images, index_children: Mapping[str, Iterable[str]] | None) -> list[str]:
    """The indexes whose references were not given."""
    children = index_children or {}
    if not images.index_digests.difference(children):
        return []
    return [d for d in images.digests if d in images.index_digests and d not in children]


def _settle(images: _Images, links: _Links, outcomes: list[_Outcome], ids: list[int], now_ts: float) -> set[int]:
    """Referrers and index children, settled together (:mod:`settle`); the referrers due soon."""
    if not (links.followers or links.parents_of):
        return set()
    archive, archived_at, pushed = images.archive, images.archived_at, images.pushed
    since = {
        r: (archived_at[r] or pushed[r]) if archive[r] else pushed[r]  # entry into its storage class
        for r in links.followers
    }
    settle = Settle(images.digests, archive, since, links.subject_of, links.orphans, links.parents_of, now_ts)
    return settle.run(outcomes, ids)


def _result(
    rules: list[PolicyRule],
    images: _Images,
    outcomes: list[_Outcome],
    ids: list[int],
    selected_by: list[list[int]],
    due_soon: set[int],
    unresolved: list[str],
) -> dict[str, Any]:
    decided = list(map(outcomes.__getitem__, ids))
    could_not_rule_out = (
        [images.digests[i] for i, o in enumerate(decided) if o[1] != "KEEP" and images.untagged[i]]
        if unresolved
        else []
    )
    image_reasons, results = _entries(images, decided, selected_by)
    due_soon_count = _mark_due_soon(image_reasons, decided, due_soon)
    per_rule, transitioning, expiring_bytes, transitioning_bytes = _sums(outcomes, ids, images.sizes)
    return {
        "previewResults": results,
        "summary": {
            "expiringImageTotalCount": len(results) - transitioning,
            "transitioningImageTotalCounts": (
                [{"targetStorageClass": "ARCHIVE", "imageTotalCount": transitioning}] if transitioning else []
            ),
        },
        "imageReasons": image_reasons,
        "rules": [
            {
                "rulePriority": rule.rule_priority,
                "description": rule.description,
                "action": "TRANSITION" if rule.action.type is ActionType.TRANSITION else "EXPIRE",
                "imageCount": per_rule.get(rule.rule_priority, [0, 0])[0],
                "imageBytes": per_rule.get(rule.rule_priority, [0, 0])[1],
            }
            for rule in rules
        ],
        "totals": {
            "expiringImageBytes": expiring_bytes,
            "transitioningImageBytes": transitioning_bytes,
            "dueSoonImageCount": due_soon_count,
        },
        "unresolvedIndexes": unresolved,
        "couldNotRuleOut": could_not_rule_out,
    }


def _entries(
    images: _Images, decided: list[_Outcome], selected_by: list[list[int]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``imageReasons`` and ``previewResults``. One loop builds both lists, so each image's digest, tags and push
    time are touched once (they sit in input order in memory: a second pass in rank order misses the cache
    again; a fifth faster, measured). One action object per kind is shared by the results (see the docstring:
    the result is read-only)."""
    expire, transition = {"type": "EXPIRE"}, {"type": "TRANSITION", "targetStorageClass": "ARCHIVE"}
    image_reasons: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    add_reason, add_result = image_reasons.append, results.append
    for digest, tag_list, pushed_at, archived, outcome, by in zip(
        images.digests, images.tags, images.pushed_at, images.archive, decided, selected_by, strict=True
    ):
        add_reason(
            {
                "imageDigest": digest,
                "imageTags": tag_list,
                "decision": outcome[1],
                "appliedRulePriority": outcome[0],
                "selectedBy": by,
                "reason": outcome[2],
                "dueSoon": False,
            }
        )
        if outcome[1] != "KEEP":
            add_result(
                {
                    "imageDigest": digest,
                    "imageTags": tag_list,
                    "imagePushedAt": pushed_at,
                    "action": expire if outcome[1] == "EXPIRE" else transition,
                    "appliedRulePriority": outcome[0],
                    "storageClass": "ARCHIVE" if archived else "STANDARD",
                }
            )
    return image_reasons, results


def _mark_due_soon(image_reasons: list[dict[str, Any]], decided: list[_Outcome], due_soon: set[int]) -> int:
    """Mark the images due within ECR's 24-hour window that are still kept; their count."""
    count = 0
    for i in due_soon:
        if decided[i][1] == "KEEP":  # an index or a referrer's subject may have changed the decision
            count += 1
            image_reasons[i]["dueSoon"] = True
            image_reasons[i]["reason"] += " (due within ECR's 24-hour window: it may go before tomorrow)"
    return count


def _sums(
    outcomes: list[_Outcome], ids: list[int], sizes: Sequence[int]
) -> tuple[dict[int | None, list[int]], int, int, int]:
    """Images and bytes per rule that marks them, the images archiving, and the bytes expiring and archiving:
    summed once per outcome rather than looked up per image."""
    counts: Sequence[int]
    byte_sums: Sequence[int]
    if any(sizes):
        # Sizes grouped by outcome at C speed (a list per outcome index), then summed per group.
        groups: list[list[int | None]] = [[] for _ in outcomes]
        _consume(map(list.append, map(groups.__getitem__, ids), sizes))
        counts = list(map(len, groups))
        byte_sums = [sum(filter(None, g)) for g in groups]
    else:
        tally = Counter(ids)
        counts = [tally[k] for k in range(len(outcomes))]
        byte_sums = [0] * len(outcomes)
    per_rule: dict[int | None, list[int]] = {}
    expiring_bytes = transitioning_bytes = transitioning = 0
    for outcome, count, size in zip(outcomes, counts, byte_sums, strict=True):
        if outcome[1] == "KEEP" or not count:
            continue
        entry = per_rule.setdefault(outcome[0], [0, 0])
        entry[0] += count
        entry[1] += size
        if outcome[1] == "TRANSITION":
            transitioning += count
            transitioning_bytes += size
        else:
            expiring_bytes += size
    return per_rule, transitioning, expiring_bytes, transitioning_bytes
