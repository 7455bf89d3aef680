"""The checks a lifecycle rule's values must pass, in one place (plain Python).

The validator applies them to policy JSON and reports a failure as a violation of the policy
(``rule 2: countNumber=0``); the builders (``rules.py``, ``standard.py``, ``archive.py``) apply the same
checks to their arguments and raise at once, naming the argument (``days=0``). A check never raises,
whatever it is given.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from ecr_patterns import defaults

TAG_STATUSES = ("tagged", "untagged", "any")
COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
SINCE = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
"""The count types that count days (``countUnit: days``)."""
STORAGE_CLASSES = ("standard", "archive")
ACTIONS = ("expire", "transition")
MIN_ARCHIVE_DAYS = 90
"""Archived images are billed for at least 90 days; ECR refuses to expire them sooner."""
MAX_WILDCARDS = defaults.MAX_TAG_PATTERN_WILDCARDS


def is_whole(value: Any) -> TypeGuard[int]:
    """An integer, and not a bool (JSON ``true`` is no number; Python's ``True`` is an ``int``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_count(value: Any, minimum: int = 1) -> TypeGuard[int]:
    """A whole number >= ``minimum``: ``countNumber``, ``rulePriority``, a builder's days or count."""
    return is_whole(value) and value >= minimum


def is_tag(value: Any) -> TypeGuard[str]:
    """One non-empty string of a tag list."""
    return isinstance(value, str) and value != ""


def is_tag_list(value: Any) -> TypeGuard[list[str]]:
    """A non-empty list of non-empty strings: ``tagPrefixList`` or ``tagPatternList``."""
    return isinstance(value, list) and bool(value) and all(map(is_tag, value))


def too_many_wildcards(pattern: str) -> bool:
    """More ``*`` in one tag pattern than ECR accepts (four)."""
    return pattern.count("*") > MAX_WILDCARDS
