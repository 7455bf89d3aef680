"""The concrete values a template value can take at deploy time, ``Fn::If`` by ``Fn::If``.

CloudFormation User Guide, "Condition functions", ``Fn::If``: it "returns one value if the specified condition
evaluates to true and another value if the specified condition evaluates to false", and "you can use the
``Fn::If`` condition in the metadata attribute, update policy attribute, and property values in the Resources
section and Outputs sections of a template"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference-conditions.html).
CloudFormation User Guide, "Pseudo parameters reference", ``AWS::NoValue``: "Removes the corresponding resource
property when specified as a return value in the Fn::If intrinsic function"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html); it removes a
list element the same way.

Only ``Fn::If`` and ``{"Ref": "AWS::NoValue"}`` are evaluated. Every other intrinsic (``Ref``, ``Fn::GetAtt``,
``Fn::Sub``, ``Fn::ImportValue``, ``Fn::Join``...) stays as written: the template cannot say what it resolves to.
A condition keeps one truth value within one expansion: ``IsProd`` true in a principal is ``IsProd`` true in the
statement's ``Condition`` block too, so branches CloudFormation can never deploy are never judged.

Plain Python: no ``aws_cdk``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

DEFAULT_LIMIT: Final = 64
"""Most concrete values one expansion yields: ``n`` independent ``Fn::If`` give ``2**n``."""


class _Absent(Enum):
    ABSENT = "absent"


ABSENT: Final = _Absent.ABSENT
"""What ``{"Ref": "AWS::NoValue"}`` evaluates to: the key or list element is dropped."""

NO_VALUE: Final = {"Ref": "AWS::NoValue"}

Assumptions = Mapping[str, bool]
"""Condition name to the truth value a branch assumes."""


@dataclass(frozen=True)
class Branch:
    """One concrete value (or :data:`ABSENT`) and the condition values that deploy it."""

    value: Any
    when: Assumptions = field(default_factory=dict)


@dataclass(frozen=True)
class Expansion:
    """The branches of a value, at most ``limit``; ``complete`` is false when more were left unexpanded."""

    branches: tuple[Branch, ...]
    complete: bool
    limit: int


def fn_if(value: Any) -> tuple[str, Any, Any] | None:
    """``(condition, value if true, value if false)`` of a well-formed ``{"Fn::If": [c, a, b]}``, else ``None``."""
    if not isinstance(value, Mapping) or len(value) != 1 or "Fn::If" not in value:
        return None
    args = value["Fn::If"]
    if isinstance(args, list) and len(args) == 3:
        condition = args[0] if isinstance(args[0], str) else json.dumps(args[0], sort_keys=True, default=str)
        return condition, args[1], args[2]
    return None


def _chosen(parts: tuple[str, Any, Any], when: Assumptions) -> Iterator[tuple[Any, Assumptions]]:
    """The two arms of an ``Fn::If`` (one when the condition is already assumed), each with its assumptions."""
    condition, if_true, if_false = parts
    if condition in when:
        yield (if_true if when[condition] else if_false), dict(when)
        return
    yield if_true, {**when, condition: True}
    yield if_false, {**when, condition: False}


def _expand(value: Any, when: Assumptions) -> Iterator[tuple[Any, Assumptions]]:
    """Every concrete value, lazily, depth first (the true arm first)."""
    parts = fn_if(value)
    if value == NO_VALUE:
        yield ABSENT, when
    elif parts is not None:
        for arm, assumed in _chosen(parts, when):
            yield from _expand(arm, assumed)
    elif isinstance(value, Mapping):
        for items, assumed in _sequence(list(value.items()), when):
            yield dict(items), assumed
    elif isinstance(value, list):
        for elements, assumed in _sequence(list(enumerate(value)), when):
            yield [element for _, element in elements], assumed
    else:
        yield value, when


def _sequence(pairs: list[tuple[Any, Any]], when: Assumptions) -> Iterator[tuple[list[tuple[Any, Any]], Assumptions]]:
    """Every combination of the pairs' expanded values, an absent value dropping its pair."""
    if not pairs:
        yield [], when
        return
    (key, first), rest = pairs[0], pairs[1:]
    for value, assumed in _expand(first, when):
        head = [] if value is ABSENT else [(key, value)]
        for tail, final in _sequence(rest, assumed):
            yield head + tail, final


def expand(value: Any, *, when: Assumptions | None = None, limit: int = DEFAULT_LIMIT) -> Expansion:
    """The concrete values ``value`` can take at deploy time, ``Fn::If`` by ``Fn::If`` (nested ones too, in
    mappings and lists), each with the conditions that choose it; ``{"Ref": "AWS::NoValue"}`` drops its key or
    list element (a value that is itself absent expands to :data:`ABSENT`). ``when``: conditions already assumed.
    Stops after ``limit`` branches (``complete`` false) so a template with many conditions cannot blow up."""
    found = list(itertools.islice(_expand(value, dict(when or {})), limit + 1))
    return Expansion(tuple(Branch(v, w) for v, w in found[:limit]), len(found) <= limit, limit)


def alternatives(value: Any, *, when: Assumptions | None = None) -> list[Branch]:
    """The arms of the ``Fn::If`` chain at the root of ``value`` only (nested values left as written): a
    statement list or a document chosen by condition. At most one branch per leaf of the chain."""
    return [Branch(v, w) for v, w in _root(value, dict(when or {}))]


def _root(value: Any, when: Assumptions) -> Iterator[tuple[Any, Assumptions]]:
    parts = fn_if(value)
    if value == NO_VALUE:
        yield ABSENT, when
    elif parts is not None:
        for arm, assumed in _chosen(parts, when):
            yield from _root(arm, assumed)
    else:
        yield value, when


def describe(when: Assumptions) -> str:
    """``" when condition IsProd is true and condition X is false"``, or ``""`` when nothing is assumed."""
    if not when:
        return ""
    return " when " + " and ".join(f"condition {c} is {str(v).lower()}" for c, v in when.items())


__all__ = ["ABSENT", "DEFAULT_LIMIT", "NO_VALUE", "Branch", "Expansion", "alternatives", "describe", "expand", "fn_if"]
