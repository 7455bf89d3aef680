"""The standard lifecycle policies as engine rules (plain Python, no ``aws_cdk``).

The patterns apply these directly: building them costs no call into Node. The CDK helpers in
``rules.py`` produce the same expire rules (a test holds them equal).
"""

from __future__ import annotations

from ecr_patterns.core import defaults
from ecr_patterns.core.errors import Code
from ecr_patterns.core.lifecycle.checks import Arguments
from ecr_patterns.core.lifecycle.model import ARCHIVE, CountType, PolicyRule, Selection, StorageClass, TagStatus


def _checked(name: str, value: object, unit: str) -> int:
    """The one number a standard rule takes, checked as the builders check theirs; its code is the one the
    validator reports for a bad ``countNumber`` (``lifecycle.count-number``), which these rules always had."""
    args = Arguments(Code.LIFECYCLE_COUNT_NUMBER)
    number = args.count(name, value, unit=unit)
    args.check()
    return number


def untagged_description(days: int) -> str:
    return f"Expire untagged images {days} days after push"


def keep_last_description(count: int) -> str:
    return f"Keep the last {count} images"


def expire_untagged(days: int) -> PolicyRule:
    """Untagged images expire ``days`` days after push."""
    days = _checked("days", days, "days")
    return PolicyRule(
        selection=Selection(TagStatus.UNTAGGED, CountType.SINCE_IMAGE_PUSHED, days, count_unit="days"),
        description=untagged_description(days),
    )


def keep_last(count: int) -> PolicyRule:
    """Keep the ``count`` newest images of any tag status."""
    count = _checked("count", count, "images")
    return PolicyRule(
        selection=Selection(TagStatus.ANY, CountType.IMAGE_COUNT_MORE_THAN, count),
        description=keep_last_description(count),
    )


def archive_untagged(days: int) -> PolicyRule:
    """Untagged images move to archive ``days`` days after push (restorable, never deleted)."""
    days = _checked("days", days, "days")
    return PolicyRule(
        selection=Selection(
            TagStatus.UNTAGGED,
            CountType.SINCE_IMAGE_PUSHED,
            days,
            count_unit="days",
            storage_class=StorageClass.STANDARD,
        ),
        action=ARCHIVE,
        description=f"Archive untagged images {days} days after push",
    )


def archive_beyond(count: int) -> PolicyRule:
    """Every image beyond the ``count`` newest moves to archive (restorable, never deleted)."""
    count = _checked("count", count, "images")
    return PolicyRule(
        selection=Selection(TagStatus.ANY, CountType.IMAGE_COUNT_MORE_THAN, count, storage_class=StorageClass.STANDARD),
        action=ARCHIVE,
        description=f"Archive all but the newest {count} images",
    )


def default_policy_rules() -> list[PolicyRule]:
    """SecureRepository: untagged images expire after 14 days; keep the last 1,000 images."""
    return [expire_untagged(defaults.UNTAGGED_EXPIRY_DAYS), keep_last(defaults.MAX_IMAGE_COUNT)]


def dev_policy_rules() -> list[PolicyRule]:
    """DevRepository: untagged images expire after 7 days; keep the last 10 images."""
    return [expire_untagged(defaults.DEV_UNTAGGED_EXPIRY_DAYS), keep_last(defaults.DEV_MAX_IMAGE_COUNT)]


def prod_policy_rules() -> list[PolicyRule]:
    """ProdRepository: nothing is ever deleted. Untagged images move to archive 14 days after push, and
    every image beyond the newest 30 moves to archive; archived images stay until someone restores or
    deletes them."""
    return [
        archive_untagged(defaults.PROD_UNTAGGED_ARCHIVE_DAYS),
        archive_beyond(defaults.PROD_ACTIVE_IMAGE_COUNT),
    ]
