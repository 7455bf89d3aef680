"""Validate a lifecycle policy as ECR would, before anything deploys (plain Python).

The design in one screen: ECR's constraints on one rule are the rows of :data:`RULE_CONSTRAINTS` (the field,
the stable code, the check, the fix), in the order their violations are reported; the constraints between
the rules of one storage class are the functions of :data:`CLASS_CONSTRAINTS`. The driver,
:func:`lifecycle_policy_violations`, reads the policy (JSON, length, shape, keys, rule count), then each rule
(shape, nulls, keys, priority, then every row), then the rules together (unique priorities, then per storage
class). The checks themselves live in :mod:`ecr_patterns.core.lifecycle.checks`, shared with the builders.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ecr_patterns.core.errors import Code, ValidationError, Violation
from ecr_patterns.core.lifecycle.checks import (
    ACTIONS,
    COUNT_TYPES,
    SINCE,
    STORAGE_CLASSES,
    TAG_STATUSES,
    is_count,
    is_tag_list,
    is_whole,
    too_many_wildcards,
)
from ecr_patterns.core.lifecycle.checks import MIN_ARCHIVE_DAYS as MIN_ARCHIVE_DAYS  # re-exported: its old home
from ecr_patterns.core.lifecycle.model import MAX_POLICY_TEXT_LENGTH, LifecyclePolicy

MAX_RULES = 50
"""ECR's quota of rules per lifecycle policy (User Guide, "Amazon ECR service quotas": not adjustable)."""

# The keys of ECR's lifecycle policy template (User Guide, "Examples of lifecycle policies": the JSON
# syntax template). ECR validates against a JSON schema and refuses any other key ("object instance has
# properties which are not allowed by the schema").
POLICY_KEYS = ("rules",)
RULE_KEYS = ("rulePriority", "description", "selection", "action")
SELECTION_KEYS = (
    "tagStatus",
    "tagPatternList",
    "tagPrefixList",
    "storageClass",
    "countType",
    "countUnit",
    "countNumber",
)
ACTION_KEYS = ("type", "targetStorageClass")


class RuleView:
    """One rule as the constraints read it: its selection's and action's values (a missing key reads as
    ``None``), and where it is (``rule 3``, or ``rule #2`` without a usable priority)."""

    __slots__ = (
        "action",
        "count_type",
        "expected",
        "number",
        "patterns",
        "prefixes",
        "priority",
        "selection",
        "status",
        "storage",
        "target",
        "type",
        "unit",
        "where",
    )

    def __init__(self, where: str, priority: Any, selection: Mapping[str, Any], action: Mapping[str, Any]) -> None:
        self.where, self.priority, self.selection, self.action = where, priority, selection, action
        get = selection.get
        self.status, self.prefixes, self.patterns = get("tagStatus"), get("tagPrefixList"), get("tagPatternList")
        self.count_type, self.unit, self.number = get("countType"), get("countUnit"), get("countNumber")
        self.expected = "archive" if self.count_type == "sinceImageTransitioned" else "standard"
        """The storage class the count type selects from."""
        self.storage = get("storageClass", self.expected)
        self.type, self.target = action.get("type"), action.get("targetStorageClass")

    def value(self, field: str) -> Any:
        """The value a violation of ``field`` echoes: ``countNumber`` or ``action.type``."""
        if field.startswith("action."):
            return self.action.get(field.removeprefix("action."))
        return self.selection.get(field)


@dataclass(frozen=True, slots=True)
class Constraint:
    """One of ECR's constraints on a rule: a violation of ``field`` (echoing its value) when ``broken``."""

    field: str
    code: Code
    broken: Callable[[RuleView], bool]
    fix: str | Callable[[RuleView], str]

    def report(self, rule: RuleView, out: list[Violation]) -> None:
        if self.broken(rule):
            fix = self.fix if isinstance(self.fix, str) else self.fix(rule)
            out.append(Violation(self.field, rule.value(self.field), fix, rule.where, code=self.code))


@dataclass(frozen=True, slots=True)
class EachConstraint:
    """A constraint on each item of a list field: a violation (echoing the item) per ``broken`` item."""

    field: str
    code: Code
    items: Callable[[RuleView], Iterable[Any]]
    broken: Callable[[Any], bool]
    fix: str

    def report(self, rule: RuleView, out: list[Violation]) -> None:
        for item in self.items(rule):
            if self.broken(item):
                out.append(Violation(self.field, item, self.fix, rule.where, code=self.code))


def _malformed(tag_list: Any) -> bool:
    return tag_list is not None and not is_tag_list(tag_list)


def _given_to_no_tags(rule: RuleView, tag_list: Any) -> bool:
    return is_tag_list(tag_list) and rule.status in ("untagged", "any")


def _no_tag_list(rule: RuleView) -> str:
    return f"tagStatus {rule.status} takes no tag list: remove it"


_TAG_LIST_FIX = "must be a non-empty list of non-empty strings"

RULE_CONSTRAINTS: tuple[Constraint | EachConstraint, ...] = (
    # the images a rule selects: its tag status and tag list
    Constraint(
        "tagStatus", Code.LIFECYCLE_TAG_STATUS, lambda r: r.status not in TAG_STATUSES, "use tagged, untagged or any"
    ),
    Constraint(
        "tagPatternList",
        Code.LIFECYCLE_TAG_LIST,
        lambda r: r.prefixes is not None and r.patterns is not None,
        "give tagPrefixList or tagPatternList, never both",
    ),
    Constraint("tagPrefixList", Code.LIFECYCLE_TAG_LIST, lambda r: _malformed(r.prefixes), _TAG_LIST_FIX),
    Constraint("tagPrefixList", Code.LIFECYCLE_TAG_LIST, lambda r: _given_to_no_tags(r, r.prefixes), _no_tag_list),
    Constraint("tagPatternList", Code.LIFECYCLE_TAG_LIST, lambda r: _malformed(r.patterns), _TAG_LIST_FIX),
    Constraint("tagPatternList", Code.LIFECYCLE_TAG_LIST, lambda r: _given_to_no_tags(r, r.patterns), _no_tag_list),
    EachConstraint(
        "tagPatternList",
        Code.LIFECYCLE_WILDCARDS,
        lambda r: r.patterns if is_tag_list(r.patterns) else (),
        too_many_wildcards,
        "at most four '*' wildcards per pattern",
    ),
    Constraint(
        "tagStatus",
        Code.LIFECYCLE_TAG_STATUS,
        lambda r: r.status == "tagged" and r.prefixes is None and r.patterns is None,
        "tagged needs a tagPrefixList or a tagPatternList",
    ),
    # what it counts
    Constraint(
        "countType",
        Code.LIFECYCLE_COUNT_TYPE,
        lambda r: r.count_type not in COUNT_TYPES,
        f"use one of {', '.join(COUNT_TYPES)}",
    ),
    Constraint(
        "countUnit",
        Code.LIFECYCLE_COUNT_UNIT,
        lambda r: r.count_type in SINCE and r.unit != "days",
        lambda r: f'{r.count_type} needs "countUnit": "days"',
    ),
    Constraint(
        "countUnit",
        Code.LIFECYCLE_COUNT_UNIT,
        lambda r: r.count_type == "imageCountMoreThan" and "countUnit" in r.selection,
        "imageCountMoreThan takes no countUnit: remove it",
    ),
    Constraint("countNumber", Code.LIFECYCLE_COUNT_NUMBER, lambda r: not is_count(r.number), "must be an integer >= 1"),
    # the storage class it selects from
    Constraint(
        "storageClass",
        Code.LIFECYCLE_STORAGE_CLASS,
        lambda r: r.count_type == "sinceImageTransitioned" and "storageClass" not in r.selection,
        'sinceImageTransitioned needs "storageClass": "archive"',
    ),
    Constraint(
        "storageClass",
        Code.LIFECYCLE_STORAGE_CLASS,
        lambda r: r.storage not in STORAGE_CLASSES,
        "use standard or archive",
    ),
    Constraint(
        "storageClass",
        Code.LIFECYCLE_STORAGE_CLASS,
        lambda r: r.storage in STORAGE_CLASSES and r.count_type in COUNT_TYPES and r.storage != r.expected,
        lambda r: f"{r.count_type} selects {r.expected} images",
    ),
    # what it does
    Constraint("action.type", Code.LIFECYCLE_ACTION, lambda r: r.type not in ACTIONS, "use expire or transition"),
    Constraint(
        "action.targetStorageClass",
        Code.LIFECYCLE_ACTION,
        lambda r: r.type == "transition" and r.target != "archive",
        'transition needs "targetStorageClass": "archive"',
    ),
    Constraint(
        "action.targetStorageClass",
        Code.LIFECYCLE_ACTION,
        lambda r: r.type == "expire" and r.target is not None,
        "expire takes no targetStorageClass",
    ),
    Constraint(
        "action.type",
        Code.LIFECYCLE_ACTION,
        lambda r: r.count_type == "sinceImagePulled" and r.type != "transition",
        "sinceImagePulled rules can only transition to archive",
    ),
    Constraint(
        "action.type",
        Code.LIFECYCLE_ACTION,
        lambda r: r.count_type == "sinceImageTransitioned" and r.type != "expire",
        "sinceImageTransitioned rules can only expire",
    ),
    Constraint(
        "countNumber",
        Code.LIFECYCLE_ARCHIVE_DAYS,
        lambda r: r.count_type == "sinceImageTransitioned" and is_count(r.number) and r.number < MIN_ARCHIVE_DAYS,
        f"archived images cannot expire before {MIN_ARCHIVE_DAYS} days",
    ),
)
"""ECR's constraints on one rule, in the order their violations are reported."""

_Selects = tuple[int | None, str, tuple[str, ...]]
"""What one rule selects from its storage class: its priority (if usable), tagStatus and tag list key."""


def _any_rule_last(storage: str, selected: list[_Selects]) -> list[Violation]:
    numbered = [p for p, _, _ in selected if p is not None]
    return [
        Violation(
            "rulePriority",
            prio,
            f"the tagStatus any rule must have the highest rulePriority of the {storage} rules "
            f"(highest is {max(numbered)})",
            f"rule {prio}",
            code=Code.LIFECYCLE_ANY_LAST,
        )
        for prio, status, _ in selected
        if status == "any" and prio is not None and prio != max(numbered)
    ]


def _only_one(status: str, storage: str, selected: list[_Selects]) -> list[Violation]:
    rules = [p for p, s, _ in selected if s == status]
    if len(rules) <= 1:
        return []
    fix = f"only one {storage} rule may select {status} images (rules {rules})"
    return [Violation("tagStatus", status, fix, None, code=Code.LIFECYCLE_OVERLAP)]


def _one_untagged_rule(storage: str, selected: list[_Selects]) -> list[Violation]:
    return _only_one("untagged", storage, selected)


def _one_any_rule(storage: str, selected: list[_Selects]) -> list[Violation]:
    return _only_one("any", storage, selected)


def _distinct_tag_lists(storage: str, selected: list[_Selects]) -> list[Violation]:
    out: list[Violation] = []
    seen: dict[tuple[str, ...], int | None] = {}
    for prio, status, tags in selected:
        if status != "tagged" or not tags:
            continue
        if tags in seen:
            out.append(
                Violation(
                    str(tags[0]),
                    list(tags[1:]),
                    f"rules {seen[tags]} and {prio} of one storage class select the same tags: merge them",
                    f"rule {prio}",
                    code=Code.LIFECYCLE_OVERLAP,
                )
            )
        seen[tags] = prio
    return out


CLASS_CONSTRAINTS: tuple[Callable[[str, list[_Selects]], list[Violation]], ...] = (
    _any_rule_last,
    _one_untagged_rule,
    _one_any_rule,
    _distinct_tag_lists,
)
"""ECR's constraints between the rules of one storage class, in the order their violations are reported."""


def _unknown_keys(value: Mapping[str, Any], allowed: tuple[str, ...], path: str, where: str | None) -> list[Violation]:
    out = []
    for key in value:
        if key in allowed:
            continue
        close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        out.append(
            Violation(
                f"{path}{key}",
                value[key],
                f"{hint}ECR allows only {', '.join(allowed)} here",
                where,
                code=Code.LIFECYCLE_UNKNOWN_KEY,
            )
        )
    return out


def _nulls(value: Any, path: str, where: str, out: list[Violation]) -> None:
    if value is None:
        out.append(
            Violation(
                path,
                None,
                "JSON null is not allowed: remove the field or give a value",
                where,
                code=Code.LIFECYCLE_NULL,
            )
        )
    elif isinstance(value, Mapping):
        for k, v in value.items():
            _nulls(v, f"{path}.{k}" if path else str(k), where, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _nulls(v, f"{path}[{i}]", where, out)


def _read(policy: Mapping[str, Any] | str) -> tuple[str, Any] | Violation:
    """The policy's text and data, whichever was given; a violation when one cannot be had from the other."""
    if isinstance(policy, str):
        try:
            return policy, json.loads(policy)
        except json.JSONDecodeError as err:
            fix = f"is not valid JSON ({err.msg} at line {err.lineno})"
            return Violation("policy", policy[:80], fix, code=Code.LIFECYCLE_JSON)
    try:
        # The text as it is sent: ensure_ascii would count an accented letter as six characters (\\u00e9).
        return json.dumps(policy, separators=(",", ":"), ensure_ascii=False), policy
    except (TypeError, ValueError) as err:
        return Violation("policy", repr(policy)[:80], f"cannot be written as JSON ({err})", code=Code.LIFECYCLE_JSON)


def _rules_of(text: str, data: Any, out: list[Violation]) -> list[Any] | None:
    """The policy's own constraints (length, shape, keys, rule count); its rules, or ``None`` when there are
    none to check."""
    if len(text) > MAX_POLICY_TEXT_LENGTH:
        fix = f"ECR accepts at most {MAX_POLICY_TEXT_LENGTH:,}: merge rules"
        out.append(Violation("policy", f"{len(text)} characters", fix, code=Code.LIFECYCLE_TEXT_LENGTH))
    if not isinstance(data, Mapping):
        fix = 'a lifecycle policy is a JSON object {"rules": [...]}'
        out.append(Violation("policy", data, fix, code=Code.LIFECYCLE_SHAPE))
        return None
    out += _unknown_keys(data, POLICY_KEYS, "", None)
    rules = data.get("rules")
    if isinstance(rules, list) and len(rules) > MAX_RULES:
        fix = f"ECR allows at most {MAX_RULES} rules per policy (a quota that cannot be raised): merge rules"
        out.append(Violation("rules", f"{len(rules)} rules", fix, code=Code.LIFECYCLE_RULE_COUNT))
    if not isinstance(rules, list) or not rules:
        out.append(Violation("rules", rules, "give at least one rule in a non-empty list", code=Code.LIFECYCLE_SHAPE))
        return None
    return rules


def _rule_view(index: int, rule: Any, out: list[Violation], priorities: list[int]) -> RuleView | None:
    """A rule's shape, nulls, keys and priority (kept in ``priorities`` when usable); its view, or ``None``
    when it has no selection to check further."""
    if not isinstance(rule, Mapping):
        where = f"rule #{index + 1}"
        out.append(Violation("rule", rule, "each rule must be a JSON object", where, code=Code.LIFECYCLE_SHAPE))
        return None
    prio, sel, act = rule.get("rulePriority"), rule.get("selection"), rule.get("action")
    where = f"rule {prio}" if is_whole(prio) else f"rule #{index + 1}"
    _nulls(rule, "", where, out)
    out += _unknown_keys(rule, RULE_KEYS, "", where)
    if isinstance(sel, Mapping):
        out += _unknown_keys(sel, SELECTION_KEYS, "selection.", where)
    if isinstance(act, Mapping):
        out += _unknown_keys(act, ACTION_KEYS, "action.", where)
    if "description" in rule and rule["description"] is not None and not isinstance(rule["description"], str):
        # Properties page: "description Type: string" (null is reported as a null above).
        fix = "must be a string"
        out.append(Violation("description", rule["description"], fix, where, code=Code.LIFECYCLE_SHAPE))
    if is_count(prio):
        priorities.append(prio)
    else:
        fix = "must be a unique integer >= 1"
        out.append(Violation("rulePriority", prio, fix, where, code=Code.LIFECYCLE_RULE_PRIORITY))
    if not isinstance(sel, Mapping):
        out.append(Violation("selection", sel, "each rule needs a selection object", where, code=Code.LIFECYCLE_SHAPE))
        return None
    if not isinstance(act, Mapping):
        fix = 'each rule needs an action, e.g. {"type": "expire"}'
        out.append(Violation("action", act, fix, where, code=Code.LIFECYCLE_SHAPE))
        act = {}
    return RuleView(where, prio, sel, act)


def _selects(rule: RuleView) -> _Selects | None:
    """What the rule selects, for the constraints between rules; ``None`` when its class or status is unusable."""
    if not (isinstance(rule.storage, str) and isinstance(rule.status, str)):
        return None
    kind, tag_list = (
        ("tagPrefixList", rule.prefixes) if rule.prefixes is not None else ("tagPatternList", rule.patterns)
    )
    tags: tuple[str, ...] = ()
    if isinstance(tag_list, list):
        try:
            tags = (kind, *sorted(tag_list))
            hash(tags)
        except TypeError:  # items that cannot be ordered or hashed (not strings): a bad tag list, reported already
            tags = ()
    return (rule.priority if is_whole(rule.priority) else None, rule.status, tags)


def _shared_priorities(priorities: list[int]) -> list[Violation]:
    return [
        Violation(
            "rulePriority",
            prio,
            f"{n} rules share it; priorities must be unique",
            f"rule {prio}",
            code=Code.LIFECYCLE_RULE_PRIORITY,
        )
        for prio, n in sorted(Counter(priorities).items())
        if n > 1
    ]


def lifecycle_policy_violations(policy: Mapping[str, Any] | str) -> list[Violation]:
    """Every reason ECR would reject ``policy`` (a dict or JSON text); ``[]`` when it is valid.

    Never raises. Each :class:`Violation` names the rule (``where``), field, value and fix.
    """
    read = _read(policy)
    if isinstance(read, Violation):
        return [read]
    out: list[Violation] = []
    rules = _rules_of(*read, out)
    if rules is None:
        return out
    priorities: list[int] = []
    by_class: defaultdict[str, list[_Selects]] = defaultdict(list)
    for index, rule in enumerate(rules):
        view = _rule_view(index, rule, out, priorities)
        if view is None:
            continue
        for constraint in RULE_CONSTRAINTS:
            constraint.report(view, out)
        selects = _selects(view)
        if selects is not None:
            by_class[view.storage].append(selects)
    out += _shared_priorities(priorities)
    for storage, selected in by_class.items():
        for check in CLASS_CONSTRAINTS:
            out += check(storage, selected)
    return out


def validate_lifecycle_policy(policy: Mapping[str, Any] | str) -> LifecyclePolicy:
    """Raise :class:`ValidationError` listing every violation; return the parsed policy when valid."""
    problems = lifecycle_policy_violations(policy)
    if problems:
        raise ValidationError(problems, context="lifecycle policy")
    return LifecyclePolicy.from_json(policy)
