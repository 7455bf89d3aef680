"""The container-assets repository's lifecycle policy: it never touches an image a deployed stack may still
reference, and works with ``cdk gc`` (plain Python).

CDK publishes every image asset under a tag (its asset hash) and references it by that tag. ``cdk gc
--action=tag`` adds a tag ``<n>-aws-cdk.isolated-<epoch ms>`` to images no stack references (the CDK CLI's
garbage collector, ``ECR_ISOLATED_TAG = "aws-cdk.isolated"`` in ``node_modules/aws-cdk/lib/index.js``). The
policy selects only those images and untagged ones:

1. untagged images pushed more than ``untagged_days`` ago expire (the CDK template's own rule);
2. images tagged isolated and pushed more than ``archive_isolated_after_days`` ago move to archive;
3. archived images expire ``expire_archived_after_days`` after the move (ECR's minimum, and default, is 90).
"""

from __future__ import annotations

from dataclasses import replace

from ecr_patterns.core.errors import Code, Problems
from ecr_patterns.core.lifecycle.archive import (
    archive_images_pushed_more_than_days_ago,
    delete_archived_images_after_days,
)
from ecr_patterns.core.lifecycle.model import LifecyclePolicy
from ecr_patterns.core.lifecycle.standard import expire_untagged
from ecr_patterns.core.lifecycle.validate import MIN_ARCHIVE_DAYS, validate_lifecycle_policy

ISOLATED_PATTERN = "*aws-cdk.isolated*"
"""Matches the tag ``cdk gc --action=tag`` gives an isolated image."""
UNTAGGED_DAYS = 365
ARCHIVE_ISOLATED_AFTER_DAYS = 30
EXPIRE_ARCHIVED_AFTER_DAYS = MIN_ARCHIVE_DAYS


def bootstrap_lifecycle_policy(
    *,
    untagged_days: int = UNTAGGED_DAYS,
    archive_isolated_after_days: int = ARCHIVE_ISOLATED_AFTER_DAYS,
    expire_archived_after_days: int = EXPIRE_ARCHIVED_AFTER_DAYS,
) -> LifecyclePolicy:
    """The policy, validated as ECR would validate it.

    :param untagged_days: default 365 (the CDK template's rule).
    :param archive_isolated_after_days: default 30: images ``cdk gc --action=tag`` marked isolated and pushed
        more than this many days ago move to archive.
    :param expire_archived_after_days: default 90 (ECR's minimum): archived images then expire.
    :raises ValidationError: a number of days out of range, each with its fix.
    """
    problems = Problems()
    for name, value, minimum in (
        ("untagged_days", untagged_days, 1),
        ("archive_isolated_after_days", archive_isolated_after_days, 1),
        ("expire_archived_after_days", expire_archived_after_days, MIN_ARCHIVE_DAYS),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            problems.add(name, value, f"a whole number of days >= {minimum}", code=Code.LIFECYCLE_ARGUMENT)
    problems.raise_if_any(context="bootstrap lifecycle policy")
    untagged = replace(
        expire_untagged(untagged_days),
        rule_priority=1,
        description=f"Untagged images should not exist: expire any older than {untagged_days} days",
    )
    isolated = archive_images_pushed_more_than_days_ago(
        archive_isolated_after_days,
        tag_patterns=[ISOLATED_PATTERN],
        rule_priority=2,
        description=f"Images cdk gc marked isolated, pushed more than {archive_isolated_after_days} days ago: archive",
    )
    archived = delete_archived_images_after_days(
        expire_archived_after_days,
        rule_priority=3,
        description=f"Archived images: expire {expire_archived_after_days} days after archiving",
    )
    return validate_lifecycle_policy(LifecyclePolicy((untagged, isolated, archived)).to_json())
