"""Validate a lifecycle policy as ECR would, before anything deploys (plain Python)."""

from __future__ import annotations

import difflib
import json
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any, TypeGuard

from ecr_patterns.errors import Code, ValidationError, Violation
from ecr_patterns.lifecycle.model import MAX_POLICY_TEXT_LENGTH, LifecyclePolicy

_TAG_STATUS = ("tagged", "untagged", "any")
_COUNT_TYPES = ("imageCountMoreThan", "sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
_SINCE = ("sinceImagePushed", "sinceImagePulled", "sinceImageTransitioned")
_STORAGE = ("standard", "archive")
_ACTIONS = ("expire", "transition")
MIN_ARCHIVE_DAYS = 90
"""Archived images are billed for at least 90 days; ECR refuses to expire them sooner."""
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


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def lifecycle_policy_violations(policy: Mapping[str, Any] | str) -> list[Violation]:
    """Every reason ECR would reject ``policy`` (a dict or JSON text); ``[]`` when it is valid.

    Never raises. Each :class:`Violation` names the rule (``where``), field, value and fix.
    """
    out: list[Violation] = []
    if isinstance(policy, str):
        text = policy
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            return [
                Violation(
                    "policy", text[:80], f"is not valid JSON ({err.msg} at line {err.lineno})", code=Code.LIFECYCLE_JSON
                )
            ]
    else:
        data = policy
        try:
            text = json.dumps(policy, separators=(",", ":"))
        except (TypeError, ValueError) as err:
            return [
                Violation("policy", repr(policy)[:80], f"cannot be written as JSON ({err})", code=Code.LIFECYCLE_JSON)
            ]
    if len(text) > MAX_POLICY_TEXT_LENGTH:
        out.append(
            Violation(
                "policy",
                f"{len(text)} characters",
                f"ECR accepts at most {MAX_POLICY_TEXT_LENGTH:,}: merge rules",
                code=Code.LIFECYCLE_TEXT_LENGTH,
            )
        )
    if not isinstance(data, Mapping):
        return [
            *out,
            Violation(
                "policy", data, 'a lifecycle policy is a JSON object {"rules": [...]}', code=Code.LIFECYCLE_SHAPE
            ),
        ]
    out += _unknown_keys(data, POLICY_KEYS, "", None)
    rules = data.get("rules")
    if isinstance(rules, list) and len(rules) > MAX_RULES:
        out.append(
            Violation(
                "rules",
                f"{len(rules)} rules",
                f"ECR allows at most {MAX_RULES} rules per policy (a quota that cannot be raised): merge rules",
                code=Code.LIFECYCLE_RULE_COUNT,
            )
        )
    if not isinstance(rules, list) or not rules:
        return [
            *out,
            Violation("rules", rules, "give at least one rule in a non-empty list", code=Code.LIFECYCLE_SHAPE),
        ]

    priorities: list[int] = []
    # Per storage class: (priority, tagStatus, tag lists key) of the rules that select from it.
    by_class: dict[str, list[tuple[int | None, str, tuple[str, ...]]]] = defaultdict(list)
    for index, rule in enumerate(rules):
        if not isinstance(rule, Mapping):
            out.append(
                Violation(
                    "rule", rule, "each rule must be a JSON object", f"rule #{index + 1}", code=Code.LIFECYCLE_SHAPE
                )
            )
            continue
        prio = rule.get("rulePriority")
        where = f"rule {prio}" if _is_int(prio) else f"rule #{index + 1}"
        _nulls(rule, "", where, out)
        out += _unknown_keys(rule, RULE_KEYS, "", where)
        if isinstance(rule.get("selection"), Mapping):
            out += _unknown_keys(rule["selection"], SELECTION_KEYS, "selection.", where)
        if isinstance(rule.get("action"), Mapping):
            out += _unknown_keys(rule["action"], ACTION_KEYS, "action.", where)
        if not _is_int(prio) or prio < 1:
            out.append(
                Violation(
                    "rulePriority", prio, "must be a unique integer >= 1", where, code=Code.LIFECYCLE_RULE_PRIORITY
                )
            )
        else:
            priorities.append(prio)
        sel = rule.get("selection")
        act = rule.get("action")
        if not isinstance(sel, Mapping):
            out.append(
                Violation("selection", sel, "each rule needs a selection object", where, code=Code.LIFECYCLE_SHAPE)
            )
            continue
        if not isinstance(act, Mapping):
            out.append(
                Violation(
                    "action",
                    act,
                    'each rule needs an action, e.g. {"type": "expire"}',
                    where,
                    code=Code.LIFECYCLE_SHAPE,
                )
            )
            act = {}
        status = sel.get("tagStatus")
        prefixes, patterns = sel.get("tagPrefixList"), sel.get("tagPatternList")
        if status not in _TAG_STATUS:
            out.append(
                Violation("tagStatus", status, "use tagged, untagged or any", where, code=Code.LIFECYCLE_TAG_STATUS)
            )
        if prefixes is not None and patterns is not None:
            out.append(
                Violation(
                    "tagPatternList",
                    patterns,
                    "give tagPrefixList or tagPatternList, never both",
                    where,
                    code=Code.LIFECYCLE_TAG_LIST,
                )
            )
        for key, lst in (("tagPrefixList", prefixes), ("tagPatternList", patterns)):
            if lst is None:
                continue
            if not isinstance(lst, list) or not lst or not all(isinstance(x, str) and x for x in lst):
                out.append(
                    Violation(
                        key, lst, "must be a non-empty list of non-empty strings", where, code=Code.LIFECYCLE_TAG_LIST
                    )
                )
                continue
            if status in ("untagged", "any"):
                out.append(
                    Violation(
                        key,
                        lst,
                        f"tagStatus {status} takes no tag list: remove it",
                        where,
                        code=Code.LIFECYCLE_TAG_LIST,
                    )
                )
            if key == "tagPatternList":
                for pattern in lst:
                    if pattern.count("*") > 4:
                        out.append(
                            Violation(
                                key,
                                pattern,
                                "at most four '*' wildcards per pattern",
                                where,
                                code=Code.LIFECYCLE_WILDCARDS,
                            )
                        )
        if status == "tagged" and prefixes is None and patterns is None:
            out.append(
                Violation(
                    "tagStatus",
                    status,
                    "tagged needs a tagPrefixList or a tagPatternList",
                    where,
                    code=Code.LIFECYCLE_TAG_STATUS,
                )
            )

        count_type, unit, number = sel.get("countType"), sel.get("countUnit"), sel.get("countNumber")
        if count_type not in _COUNT_TYPES:
            out.append(
                Violation(
                    "countType",
                    count_type,
                    f"use one of {', '.join(_COUNT_TYPES)}",
                    where,
                    code=Code.LIFECYCLE_COUNT_TYPE,
                )
            )
        elif count_type in _SINCE and unit != "days":
            out.append(
                Violation(
                    "countUnit", unit, f'{count_type} needs "countUnit": "days"', where, code=Code.LIFECYCLE_COUNT_UNIT
                )
            )
        elif count_type == "imageCountMoreThan" and "countUnit" in sel:
            out.append(
                Violation(
                    "countUnit",
                    unit,
                    "imageCountMoreThan takes no countUnit: remove it",
                    where,
                    code=Code.LIFECYCLE_COUNT_UNIT,
                )
            )
        if not _is_int(number) or number < 1:
            out.append(
                Violation("countNumber", number, "must be an integer >= 1", where, code=Code.LIFECYCLE_COUNT_NUMBER)
            )

        expected = "archive" if count_type == "sinceImageTransitioned" else "standard"
        storage = sel.get("storageClass", expected)
        if count_type == "sinceImageTransitioned" and "storageClass" not in sel:
            out.append(
                Violation(
                    "storageClass",
                    None,
                    'sinceImageTransitioned needs "storageClass": "archive"',
                    where,
                    code=Code.LIFECYCLE_STORAGE_CLASS,
                )
            )
        if storage not in _STORAGE:
            out.append(
                Violation("storageClass", storage, "use standard or archive", where, code=Code.LIFECYCLE_STORAGE_CLASS)
            )
        elif count_type in _COUNT_TYPES and storage != expected:
            out.append(
                Violation(
                    "storageClass",
                    storage,
                    f"{count_type} selects {expected} images",
                    where,
                    code=Code.LIFECYCLE_STORAGE_CLASS,
                )
            )

        atype, target = act.get("type"), act.get("targetStorageClass")
        if atype not in _ACTIONS:
            out.append(Violation("action.type", atype, "use expire or transition", where, code=Code.LIFECYCLE_ACTION))
        elif atype == "transition" and target != "archive":
            out.append(
                Violation(
                    "action.targetStorageClass",
                    target,
                    'transition needs "targetStorageClass": "archive"',
                    where,
                    code=Code.LIFECYCLE_ACTION,
                )
            )
        elif atype == "expire" and target is not None:
            out.append(
                Violation(
                    "action.targetStorageClass",
                    target,
                    "expire takes no targetStorageClass",
                    where,
                    code=Code.LIFECYCLE_ACTION,
                )
            )
        if count_type == "sinceImagePulled" and atype != "transition":
            out.append(
                Violation(
                    "action.type",
                    atype,
                    "sinceImagePulled rules can only transition to archive",
                    where,
                    code=Code.LIFECYCLE_ACTION,
                )
            )
        if count_type == "sinceImageTransitioned" and atype != "expire":
            out.append(
                Violation(
                    "action.type",
                    atype,
                    "sinceImageTransitioned rules can only expire",
                    where,
                    code=Code.LIFECYCLE_ACTION,
                )
            )
        if count_type == "sinceImageTransitioned" and _is_int(number) and 1 <= number < MIN_ARCHIVE_DAYS:
            out.append(
                Violation(
                    "countNumber",
                    number,
                    f"archived images cannot expire before {MIN_ARCHIVE_DAYS} days",
                    where,
                    code=Code.LIFECYCLE_ARCHIVE_DAYS,
                )
            )

        if isinstance(storage, str) and isinstance(status, str):
            kind, tag_list = ("tagPrefixList", prefixes) if prefixes is not None else ("tagPatternList", patterns)
            tags = (kind, *sorted(tag_list)) if isinstance(tag_list, list) else ()
            by_class[storage].append((prio if _is_int(prio) else None, status, tags))

    for prio, n in sorted(Counter(priorities).items()):
        if n > 1:
            out.append(
                Violation(
                    "rulePriority",
                    prio,
                    f"{n} rules share it; priorities must be unique",
                    f"rule {prio}",
                    code=Code.LIFECYCLE_RULE_PRIORITY,
                )
            )
    for storage, selected in by_class.items():
        numbered = [p for p, _, _ in selected if p is not None]
        for prio, status, _ in selected:
            if status == "any" and prio is not None and prio != max(numbered):
                out.append(
                    Violation(
                        "rulePriority",
                        prio,
                        f"the tagStatus any rule must have the highest rulePriority of the {storage} rules "
                        f"(highest is {max(numbered)})",
                        f"rule {prio}",
                        code=Code.LIFECYCLE_ANY_LAST,
                    )
                )
        untagged = [p for p, s, _ in selected if s == "untagged"]
        if len(untagged) > 1:
            out.append(
                Violation(
                    "tagStatus",
                    "untagged",
                    f"only one {storage} rule may select untagged images (rules {untagged})",
                    None,
                    code=Code.LIFECYCLE_OVERLAP,
                )
            )
        anys = [p for p, s, _ in selected if s == "any"]
        if len(anys) > 1:
            out.append(
                Violation(
                    "tagStatus",
                    "any",
                    f"only one {storage} rule may select any images (rules {anys})",
                    None,
                    code=Code.LIFECYCLE_OVERLAP,
                )
            )
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


def validate_lifecycle_policy(policy: Mapping[str, Any] | str) -> LifecyclePolicy:
    """Raise :class:`ValidationError` listing every violation; return the parsed policy when valid."""
    problems = lifecycle_policy_violations(policy)
    if problems:
        raise ValidationError(problems, context="lifecycle policy")
    return LifecyclePolicy.from_json(policy)
