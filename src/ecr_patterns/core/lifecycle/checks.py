"""The checks a lifecycle rule's values must pass, in one place (plain Python).

The validator applies them to policy JSON and reports a failure as a violation of the policy
(``rule 2: countNumber=0``); the builders (``rules.py``, ``standard.py``, ``archive.py``) apply the same
checks to their arguments (:class:`Arguments`) and raise at once, naming the argument (``days=0``). The
``is_*`` checks never raise, whatever they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeGuard, cast

from ecr_patterns.core import defaults
from ecr_patterns.core.errors import Code, Problems

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


class Arguments:
    """A builder's argument checks: the checks above, applied to arguments. Each method notes what is wrong
    with one argument (its name, the value and the fix) and returns the value to build with; :meth:`check`
    raises one :class:`ValidationError` with every problem noted.

    ``code`` is the stable code of a bad argument (too many wildcards have their own): ``lifecycle.argument``
    for the CDK helpers and the archive rules, ``lifecycle.count-number`` for the engine's standard rules (what
    the validator has always reported for their one number)."""

    def __init__(self, code: Code = Code.LIFECYCLE_ARGUMENT) -> None:
        self.code = code
        self.problems = Problems()

    def check(self) -> None:
        self.problems.raise_if_any(context=None)

    def _add(self, name: str, value: object, fix: str, code: Code | None = None) -> None:
        self.problems.add(name, value, fix, code=code or self.code)

    def count(self, name: str, value: Any, *, unit: str, minimum: int = 1) -> int:
        """A whole number of ``unit`` >= ``minimum`` (not a bool, not a float)."""
        if not is_count(value, minimum):
            self._add(name, value, f"must be a whole number of {unit} >= {minimum}, e.g. {name}={max(minimum, 30)}")
        return cast(int, value)

    def priority(self, value: Any, *, unresolved: Callable[[Any], bool] | None = None) -> int | None:
        """``None`` (numbered in order of addition), a whole number >= 1, or a token ``unresolved`` accepts."""
        if not (value is None or is_count(value) or (unresolved is not None and unresolved(value))):
            self._add("rule_priority", value, "must be a whole number >= 1, or None to number it in order of addition")
        return cast("int | None", value)

    def description(self, value: Any) -> str | None:
        if value is not None and not isinstance(value, str):
            self._add("description", value, "must be a string, or None for the default")
        return cast("str | None", value)

    def tag_status(self, value: Any) -> str | None:
        """``None`` (inferred from the tag lists), a ``TagStatus`` or its value (``"tagged"``)."""
        if value is None or (isinstance(value, str) and value in TAG_STATUSES):
            return value
        self._add("tag_status", value, "use TagStatus.TAGGED, TagStatus.UNTAGGED or TagStatus.ANY")
        return None

    def tags(self, name: str, value: Any, *, patterns: bool, one_string: bool, wildcards_hint: str = "") -> list[str]:
        """A tag list: a list or tuple of tag prefixes (``patterns`` false) or patterns; a single string only
        when ``one_string`` (never split into letters). Checked item by item: a non-blank string, without
        ``*`` in a prefix (``wildcards_hint`` says where patterns go) and with at most four in a pattern."""
        kind = "pattern" if patterns else "prefix"
        example = "'prod'" if one_string else "['prod']"
        if isinstance(value, str) and one_string:
            items = [value]
        elif isinstance(value, list | tuple):
            items = list(value)
        else:
            wanted = f"a tag {kind} or a list of them" if one_string else f"a list of tag {kind}{_PLURAL[kind]}"
            self._add(name, value, f"give {wanted}, e.g. {name}={example}")
            return []
        if not items:
            self._add(name, value, f"give at least one tag {kind}, e.g. {name}={example}")
        for item in items:  # the first bad item is enough
            problem = _tag_problem(item, kind, wildcards_hint)
            if problem is not None:
                self._add(name, item, *problem)
                break
        return items


_PLURAL = {"prefix": "es", "pattern": "s"}


def _tag_problem(item: Any, kind: str, wildcards_hint: str) -> tuple[str, Code | None] | None:
    """What is wrong with one item of a builder's tag list (the fix, and a code other than the builder's)."""
    if not (is_tag(item) and item.strip()):
        return f"a tag {kind} must be a non-empty string, e.g. 'prod'", None
    if kind == "pattern" and too_many_wildcards(item):
        fix = f"has {item.count('*')} '*' wildcards; ECR allows at most {MAX_WILDCARDS} per pattern: use four or fewer"
        return fix, Code.LIFECYCLE_WILDCARDS
    if kind == "prefix" and "*" in item:
        return f"a prefix cannot contain '*'; {wildcards_hint}", None
    return None
