"""A typed model of an ECR lifecycle policy, with conversion to and from policy JSON.

Plain Python: never imports ``aws_cdk`` (the CLI and the engine load in milliseconds).
Field names follow the ECR User Guide ("Lifecycle policy properties"). The model holds
what a policy *says*; :func:`ecr_patterns.lifecycle.validate_lifecycle_policy` judges
whether ECR would accept it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from typing import Any, cast

from ecr_patterns.core.errors import Code, ValidationError, Violation
from ecr_patterns.core.lifecycle.checks import is_whole

MAX_POLICY_TEXT_LENGTH = 30_720
"""ECR's limit on the length of the lifecycle policy text, in characters."""


class TagStatus(StrEnum):
    TAGGED = "tagged"
    UNTAGGED = "untagged"
    ANY = "any"


class CountType(StrEnum):
    IMAGE_COUNT_MORE_THAN = "imageCountMoreThan"
    SINCE_IMAGE_PUSHED = "sinceImagePushed"
    SINCE_IMAGE_PULLED = "sinceImagePulled"
    SINCE_IMAGE_TRANSITIONED = "sinceImageTransitioned"


class StorageClass(StrEnum):
    STANDARD = "standard"
    ARCHIVE = "archive"


class ActionType(StrEnum):
    EXPIRE = "expire"
    TRANSITION = "transition"


@dataclass(frozen=True)
class Selection:
    """Which images a rule looks at, and the count or age that marks them."""

    tag_status: TagStatus
    count_type: CountType
    count_number: int
    tag_prefix_list: tuple[str, ...] | None = None
    tag_pattern_list: tuple[str, ...] | None = None
    count_unit: str | None = None
    """``"days"`` for the ``since*`` count types; ``None`` for ``imageCountMoreThan``."""
    storage_class: StorageClass | None = None
    """``None`` means the policy text omits it (ECR then reads ``standard``)."""

    @property
    def effective_storage_class(self) -> StorageClass:
        """The storage class ECR selects from: ``archive`` only when said or implied."""
        if self.storage_class is not None:
            return self.storage_class
        if self.count_type is CountType.SINCE_IMAGE_TRANSITIONED:
            return StorageClass.ARCHIVE
        return StorageClass.STANDARD

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tagStatus": self.tag_status.value}
        if self.tag_prefix_list is not None:
            out["tagPrefixList"] = list(self.tag_prefix_list)
        if self.tag_pattern_list is not None:
            out["tagPatternList"] = list(self.tag_pattern_list)
        if self.storage_class is not None:
            out["storageClass"] = self.storage_class.value
        out["countType"] = self.count_type.value
        if self.count_unit is not None:
            out["countUnit"] = self.count_unit
        out["countNumber"] = self.count_number
        return out


@dataclass(frozen=True)
class Action:
    """What happens to a marked image."""

    type: ActionType = ActionType.EXPIRE
    target_storage_class: StorageClass | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type.value}
        if self.target_storage_class is not None:
            out["targetStorageClass"] = self.target_storage_class.value
        return out


EXPIRE = Action(ActionType.EXPIRE)
ARCHIVE = Action(ActionType.TRANSITION, StorageClass.ARCHIVE)


@dataclass(frozen=True)
class PolicyRule:
    """One rule of a lifecycle policy. ``rule_priority`` may be left ``None`` until
    :meth:`LifecyclePolicy.from_rules` assigns it."""

    selection: Selection
    action: Action = EXPIRE
    rule_priority: int | None = None
    description: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.rule_priority is not None:
            out["rulePriority"] = self.rule_priority
        if self.description is not None:
            out["description"] = self.description
        out["selection"] = self.selection.to_json()
        out["action"] = self.action.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, index: int = 0) -> PolicyRule:
        """Parse one rule. Raises :class:`ValidationError` for a shape the model cannot hold
        (unknown enum values, wrong types); range and combination checks are the validator's."""
        where, sel, act = _rule_objects(data, index)
        read = _FieldReader(where)
        tag_status = read.enum(TagStatus, "tagStatus", sel.get("tagStatus"))
        count_type = read.enum(CountType, "countType", sel.get("countType"))
        storage_class = read.enum(StorageClass, "storageClass", sel.get("storageClass"), required=False)
        count_number = read.whole("countNumber", sel.get("countNumber"), Code.LIFECYCLE_COUNT_NUMBER, required=True)
        count_unit = read.unit(sel.get("countUnit"))
        action_type = read.enum(ActionType, "action.type", act.get("type"))
        target = read.enum(StorageClass, "action.targetStorageClass", act.get("targetStorageClass"), required=False)
        priority = read.whole("rulePriority", data.get("rulePriority"), Code.LIFECYCLE_RULE_PRIORITY, required=False)
        prefixes, patterns = read.tag_list(sel, "tagPrefixList"), read.tag_list(sel, "tagPatternList")
        if read.problems:
            raise ValidationError(read.problems)
        description = data.get("description")
        return cls(
            selection=Selection(
                tag_status=tag_status,
                count_type=count_type,
                count_number=cast(int, count_number),
                tag_prefix_list=prefixes,
                tag_pattern_list=patterns,
                count_unit=count_unit,
                storage_class=storage_class,
            ),
            action=Action(action_type, target),
            rule_priority=priority,
            description=description if isinstance(description, str) else None,
        )


def _rule_objects(data: Any, index: int) -> tuple[str, Mapping[str, Any], Mapping[str, Any]]:
    """Where the rule is (``rule 3``, or ``rule #2`` without a priority), its selection and its action
    (``expire`` when absent); raises when the rule, its selection or its action is not an object."""
    where = f"rule {data.get('rulePriority', f'#{index + 1}')}" if isinstance(data, Mapping) else f"rule #{index + 1}"
    if not isinstance(data, Mapping):
        raise ValidationError.single(
            "rule", data, "each rule must be a JSON object", where=where, code=Code.LIFECYCLE_SHAPE
        )
    sel = data.get("selection")
    act = data.get("action", {"type": "expire"})
    if not isinstance(sel, Mapping):
        raise ValidationError.single(
            "selection", sel, "each rule needs a 'selection' object", where=where, code=Code.LIFECYCLE_SHAPE
        )
    if not isinstance(act, Mapping):
        raise ValidationError.single(
            "action",
            act,
            '\'action\' must be an object such as {"type": "expire"}',
            where=where,
            code=Code.LIFECYCLE_SHAPE,
        )
    return where, sel, act


_ENUM_CODES = {
    "tagStatus": Code.LIFECYCLE_TAG_STATUS,
    "countType": Code.LIFECYCLE_COUNT_TYPE,
    "storageClass": Code.LIFECYCLE_STORAGE_CLASS,
    "action.type": Code.LIFECYCLE_ACTION,
    "action.targetStorageClass": Code.LIFECYCLE_ACTION,
}


class _FieldReader:
    """Reads one rule's fields into the model's types, noting every value the model cannot hold."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Violation] = []

    def enum(self, kind: type[Enum], key: str, raw: Any, *, required: bool = True) -> Any:
        if raw is None and not required:
            return None
        try:
            return kind(raw)
        except ValueError:
            allowed = " | ".join(str(m.value) for m in kind)
            code = _ENUM_CODES.get(key, Code.LIFECYCLE_SHAPE)
            self.problems.append(Violation(key, raw, f"use one of {allowed}", self.where, code=code))
            return None

    def whole(self, key: str, raw: Any, code: Code, *, required: bool) -> Any:
        """An integer (not a bool); ``None`` may stay ``None`` unless ``required``."""
        if (required or raw is not None) and not is_whole(raw):
            self.problems.append(Violation(key, raw, "must be an integer >= 1", self.where, code=code))
        return raw

    def unit(self, raw: Any) -> Any:
        if raw is not None and not isinstance(raw, str):
            fix = "must be the string 'days'"
            self.problems.append(Violation("countUnit", raw, fix, self.where, code=Code.LIFECYCLE_COUNT_UNIT))
        return raw

    def tag_list(self, sel: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
        raw = sel.get(key)
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            fix = "must be a list of strings"
            self.problems.append(Violation(key, raw, fix, self.where, code=Code.LIFECYCLE_TAG_LIST))
            return None
        return tuple(raw)


@dataclass(frozen=True)
class LifecyclePolicy:
    """A whole lifecycle policy: an ordered tuple of rules."""

    rules: tuple[PolicyRule, ...] = field(default_factory=tuple)

    @classmethod
    def from_rules(cls, rules: Iterable[PolicyRule]) -> LifecyclePolicy:
        """Build a policy, giving every rule without a priority one.

        Explicit priorities are kept. The others are numbered after the highest explicit
        priority in the order given, except that ``tagStatus: any`` rules are numbered last
        (ECR requires the ``any`` rule to have the highest priority): the same convention
        as aws-cdk-lib's ``Repository``.
        """
        rules = list(rules)
        used = {r.rule_priority for r in rules if r.rule_priority is not None}
        nxt = max(used, default=0) + 1
        unnumbered = [i for i, r in enumerate(rules) if r.rule_priority is None]
        ordered = [i for i in unnumbered if rules[i].selection.tag_status is not TagStatus.ANY]
        ordered += [i for i in unnumbered if rules[i].selection.tag_status is TagStatus.ANY]
        for i in ordered:
            while nxt in used:
                nxt += 1
            rules[i] = replace(rules[i], rule_priority=nxt)
            used.add(nxt)
        return cls(tuple(sorted(rules, key=lambda r: r.rule_priority or 0)))

    def to_json(self) -> dict[str, Any]:
        return {"rules": [r.to_json() for r in self.rules]}

    def to_text(self) -> str:
        """Policy text as ECR stores it (compact JSON, non-ASCII characters as themselves, as the validator
        counts them)."""
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)

    def __str__(self) -> str:
        """The policy JSON (``to_text()``): ``print(repo.lifecycle_policy)`` shows the rendered policy."""
        return self.to_text()

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | str) -> LifecyclePolicy:
        """Parse policy JSON (a dict or its text). Raises :class:`ValidationError` for a
        shape the model cannot hold; use ``validate_lifecycle_policy`` for ECR's rules."""
        if isinstance(data, str):
            text = data
            try:
                data = json.loads(text)
            except json.JSONDecodeError as err:
                raise ValidationError.single(
                    "policy", text[:80], f"is not valid JSON ({err.msg} at line {err.lineno})", code=Code.LIFECYCLE_JSON
                ) from None
        if (
            not isinstance(data, Mapping)
            or not isinstance(data.get("rules"), Sequence)
            or isinstance(data.get("rules"), str)
        ):
            raise ValidationError.single(
                "rules", data, 'a lifecycle policy is an object {"rules": [...]}', code=Code.LIFECYCLE_SHAPE
            )
        problems: list[Violation] = []
        rules: list[PolicyRule] = []
        for i, raw in enumerate(data["rules"]):
            try:
                rules.append(PolicyRule.from_json(raw, index=i))
            except ValidationError as err:
                problems.extend(err.violations)
        if problems:
            raise ValidationError(problems)
        return cls(tuple(rules))
