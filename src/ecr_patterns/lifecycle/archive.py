"""Archive storage-class rules, which ``aws_ecr.LifecycleRule`` cannot express (plain Python).

ECR can move images that nobody pulls to the cheaper *archive* storage class
(``sinceImagePulled`` + ``transition``) and expire archived images later
(``sinceImageTransitioned`` + ``expire``; archived images are billed for at least 90 days,
so ECR refuses to expire them sooner). Add these to a ``SecureRepository`` with
``repo.add_lifecycle_policy_rule(...)``: they share one policy and one priority numbering
with the L2 rules.
"""

from __future__ import annotations

from collections.abc import Sequence

from ecr_patterns import defaults
from ecr_patterns.errors import Code, ValidationError
from ecr_patterns.lifecycle.model import (
    ARCHIVE,
    EXPIRE,
    Action,
    CountType,
    PolicyRule,
    Selection,
    StorageClass,
    TagStatus,
)
from ecr_patterns.lifecycle.validate import MIN_ARCHIVE_DAYS


def _days(value: object, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationError.single(
            "days", value, f"must be a whole number of days >= {minimum}", code=Code.LIFECYCLE_ARGUMENT
        )
    return value


def _selection_tags(
    tag_status: TagStatus, tag_prefixes: Sequence[str] | None, tag_patterns: Sequence[str] | None
) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    if tag_prefixes is not None and tag_patterns is not None:
        raise ValidationError.single(
            "tag_patterns", tag_patterns, "give tag_prefixes or tag_patterns, not both", code=Code.LIFECYCLE_ARGUMENT
        )
    given = tag_prefixes if tag_prefixes is not None else tag_patterns
    if tag_status is TagStatus.TAGGED:
        if not given or not all(isinstance(t, str) and t for t in given):
            raise ValidationError.single(
                "tag_prefixes",
                given,
                "tag_status=TAGGED needs a non-empty list of tag_prefixes or tag_patterns",
                code=Code.LIFECYCLE_ARGUMENT,
            )
    elif given is not None:
        raise ValidationError.single(
            "tag_status",
            tag_status.value,
            "tag lists need tag_status=TagStatus.TAGGED (the default when one is given)",
            code=Code.LIFECYCLE_ARGUMENT,
        )
    for pattern in tag_patterns or ():
        if pattern.count("*") > defaults.MAX_TAG_PATTERN_WILDCARDS:
            raise ValidationError.single(
                "tag_patterns", pattern, "at most four '*' wildcards per pattern", code=Code.LIFECYCLE_WILDCARDS
            )
    return (
        tuple(tag_prefixes) if tag_prefixes is not None else None,
        tuple(tag_patterns) if tag_patterns is not None else None,
    )


def _rule(
    count_type: CountType,
    storage_class: StorageClass,
    action: Action,
    days: int,
    tag_status: TagStatus | None,
    tag_prefixes: Sequence[str] | None,
    tag_patterns: Sequence[str] | None,
    rule_priority: int | None,
    description: str,
) -> PolicyRule:
    status = tag_status or (TagStatus.TAGGED if (tag_prefixes or tag_patterns) else TagStatus.ANY)
    prefixes, patterns = _selection_tags(status, tag_prefixes, tag_patterns)
    return PolicyRule(
        selection=Selection(
            tag_status=status,
            count_type=count_type,
            count_number=days,
            count_unit="days",
            tag_prefix_list=prefixes,
            tag_pattern_list=patterns,
            storage_class=storage_class,
        ),
        action=action,
        rule_priority=rule_priority,
        description=description,
    )


def archive_images_not_pulled_for_days(
    days: int,
    *,
    tag_status: TagStatus | None = None,
    tag_prefixes: Sequence[str] | None = None,
    tag_patterns: Sequence[str] | None = None,
    rule_priority: int | None = None,
    description: str | None = None,
) -> PolicyRule:
    """Move images not pulled for ``days`` days (never pulled: since push) to archive storage.

    :param days: days since the last recorded pull, an integer >= 1.
    :param tag_status: default ``TAGGED`` when a tag list is given, else ``ANY``.
    :param tag_prefixes: tag prefixes the images must carry; default ``None``.
    :param tag_patterns: tag patterns (``*`` wildcards) instead of prefixes; default ``None``.
    :param rule_priority: default ``None`` (assigned in order of addition).
    :param description: default "Archive images not pulled for N days".
    """
    days = _days(days)
    return _rule(
        CountType.SINCE_IMAGE_PULLED,
        StorageClass.STANDARD,
        ARCHIVE,
        days,
        tag_status,
        tag_prefixes,
        tag_patterns,
        rule_priority,
        description or f"Archive images not pulled for {days} days",
    )


def archive_images_pushed_more_than_days_ago(
    days: int,
    *,
    tag_status: TagStatus | None = None,
    tag_prefixes: Sequence[str] | None = None,
    tag_patterns: Sequence[str] | None = None,
    rule_priority: int | None = None,
    description: str | None = None,
) -> PolicyRule:
    """Move images pushed (or restored) more than ``days`` days ago to archive storage.

    :param days: days since the push, an integer >= 1.
    :param tag_status: default ``TAGGED`` when a tag list is given, else ``ANY``.
    :param tag_prefixes: default ``None``.
    :param tag_patterns: default ``None``.
    :param rule_priority: default ``None`` (assigned in order of addition).
    :param description: default "Archive images pushed more than N days ago".
    """
    days = _days(days)
    return _rule(
        CountType.SINCE_IMAGE_PUSHED,
        StorageClass.STANDARD,
        ARCHIVE,
        days,
        tag_status,
        tag_prefixes,
        tag_patterns,
        rule_priority,
        description or f"Archive images pushed more than {days} days ago",
    )


def delete_archived_images_after_days(
    days: int,
    *,
    tag_status: TagStatus | None = None,
    tag_prefixes: Sequence[str] | None = None,
    tag_patterns: Sequence[str] | None = None,
    rule_priority: int | None = None,
    description: str | None = None,
) -> PolicyRule:
    """Expire archived images ``days`` days after they were archived (ECR's minimum is 90).

    :param days: days since the transition to archive, an integer >= 90.
    :param tag_status: default ``TAGGED`` when a tag list is given, else ``ANY``.
    :param tag_prefixes: default ``None``.
    :param tag_patterns: default ``None``.
    :param rule_priority: default ``None`` (assigned in order of addition).
    :param description: default "Expire archived images N days after archiving".
    """
    days = _days(days, minimum=MIN_ARCHIVE_DAYS)
    return _rule(
        CountType.SINCE_IMAGE_TRANSITIONED,
        StorageClass.ARCHIVE,
        EXPIRE,
        days,
        tag_status,
        tag_prefixes,
        tag_patterns,
        rule_priority,
        description or f"Expire archived images {days} days after archiving",
    )
