"""Archive storage-class rules, which ``aws_ecr.LifecycleRule`` cannot express (plain Python).

ECR can move images that nobody pulls to the cheaper *archive* storage class
(``sinceImagePulled`` + ``transition``) and expire archived images later
(``sinceImageTransitioned`` + ``expire``; archived images are billed for at least 90 days,
so ECR refuses to expire them sooner). Add these to a ``SecureRepository`` with
``repo.add_lifecycle_policy_rule(...)``: they share one policy and one priority numbering
with the L2 rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import cast

from ecr_patterns.core.errors import Code, ValidationError
from ecr_patterns.core.lifecycle.checks import MIN_ARCHIVE_DAYS, Arguments
from ecr_patterns.core.lifecycle.model import (
    ARCHIVE,
    EXPIRE,
    Action,
    CountType,
    PolicyRule,
    Selection,
    StorageClass,
    TagStatus,
)


def _rule(
    count_type: CountType,
    action: Action,
    days: int,
    tag_status: object,
    tag_prefixes: object,
    tag_patterns: object,
    rule_priority: object,
    description: object,
    default_description: Callable[[int], str],
) -> PolicyRule:
    """Check every argument as the other builders do (one :class:`ValidationError` naming each bad one), then
    build the rule: archived images when it counts since the transition, else standard ones."""
    archived = count_type is CountType.SINCE_IMAGE_TRANSITIONED
    args = Arguments()
    number = args.count("days", days, unit="days", minimum=MIN_ARCHIVE_DAYS if archived else 1)
    said = args.tag_status(tag_status)
    prefixes = _tag_list(args, "tag_prefixes", tag_prefixes)
    patterns = _tag_list(args, "tag_patterns", tag_patterns)
    args.priority(rule_priority)
    args.description(description)
    args.check()
    status = _tag_selection(said, prefixes, patterns)
    return PolicyRule(
        selection=Selection(
            tag_status=status,
            count_type=count_type,
            count_number=number,
            count_unit="days",
            tag_prefix_list=prefixes,
            tag_pattern_list=patterns,
            storage_class=StorageClass.ARCHIVE if archived else StorageClass.STANDARD,
        ),
        action=action,
        rule_priority=cast("int | None", rule_priority),
        description=cast("str | None", description) or default_description(number),
    )


def _tag_list(args: Arguments, name: str, value: object) -> tuple[str, ...] | None:
    """A list (or tuple) of tag prefixes or patterns, never a string split into letters."""
    if value is None:
        return None
    hint = "use tag_patterns for wildcard patterns"
    return tuple(args.tags(name, value, patterns=name == "tag_patterns", one_string=False, wildcards_hint=hint))


def _tag_selection(
    tag_status: str | None, prefixes: tuple[str, ...] | None, patterns: tuple[str, ...] | None
) -> TagStatus:
    """The tag status: ``TAGGED`` when a tag list is given, else ``ANY``, unless said; raises when the tag
    lists do not go with it."""
    if prefixes is not None and patterns is not None:
        raise ValidationError.single(
            "tag_patterns", list(patterns), "give tag_prefixes or tag_patterns, not both", code=Code.LIFECYCLE_ARGUMENT
        )
    given = prefixes if prefixes is not None else patterns
    status = TagStatus(tag_status) if tag_status is not None else TagStatus.TAGGED if given else TagStatus.ANY
    if status is TagStatus.TAGGED and given is None:
        raise ValidationError.single(
            "tag_prefixes",
            None,
            "tag_status=TAGGED needs a non-empty list of tag_prefixes or tag_patterns",
            code=Code.LIFECYCLE_ARGUMENT,
        )
    if status is not TagStatus.TAGGED and given is not None:
        raise ValidationError.single(
            "tag_status",
            status.value,
            "tag lists need tag_status=TagStatus.TAGGED (the default when one is given)",
            code=Code.LIFECYCLE_ARGUMENT,
        )
    return status


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
    return _rule(
        CountType.SINCE_IMAGE_PULLED,
        ARCHIVE,
        days,
        tag_status,
        tag_prefixes,
        tag_patterns,
        rule_priority,
        description,
        lambda days: f"Archive images not pulled for {days} days",
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
    return _rule(
        CountType.SINCE_IMAGE_PUSHED,
        ARCHIVE,
        days,
        tag_status,
        tag_prefixes,
        tag_patterns,
        rule_priority,
        description,
        lambda days: f"Archive images pushed more than {days} days ago",
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
    return _rule(
        CountType.SINCE_IMAGE_TRANSITIONED,
        EXPIRE,
        days,
        tag_status,
        tag_prefixes,
        tag_patterns,
        rule_priority,
        description,
        lambda days: f"Expire archived images {days} days after archiving",
    )
