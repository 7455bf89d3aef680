"""Argument checks where values arrive, shared by every construct and helper: a wrong type is one
:class:`~ecr_patterns.core.errors.Violation` naming the argument, the value and the fix, never a raw Python or
JavaScript error, and never a string split into letters. Unresolved CDK tokens are left to CloudFormation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ecr_patterns.core.errors import Code, Problems


def check_bool(problems: Problems, name: str, value: object, *, code: Code) -> None:
    """``None`` (the default) or a real ``bool``: ``"yes"`` or ``1`` is an error, not a truthy value."""
    if value is not None and not isinstance(value, bool):
        problems.add(name, value, f"give True or False (a bool), not {type(value).__name__}", code=code)


def check_instance(
    problems: Problems, name: str, value: object, kind: type | tuple[type, ...], what: str, *, code: Code
) -> None:
    """``None`` or an instance of ``kind`` (``what`` names it for the fix)."""
    if value is not None and not isinstance(value, kind):
        problems.add(name, shown(value), f"give {what}, not {type(value).__name__}", code=code)


def check_sequence(
    problems: Problems, name: str, value: object, item: type | tuple[type, ...], what: str, *, code: Code
) -> list[Any] | None:
    """``None`` or a list/tuple whose items are ``item``: a lone string, mapping or item is an error (a string is
    never split into its letters). Returns the items, or ``None`` when absent or wrong."""
    if value is None:
        return None
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Sequence):
        problems.add(name, shown(value), f"give a list of {what}, e.g. [{what}], not {type(value).__name__}", code=code)
        return None
    bad = [v for v in value if not isinstance(v, item)]
    if bad:
        problems.add(name, shown(bad[0]), f"every item must be {what}, not {type(bad[0]).__name__}", code=code)
        return None
    return list(value)


def context_bool(value: object, *, name: str, code: Code) -> bool:
    """A boolean context value: ``True``/``False``, or (from ``-c`` on the command line) ``"true"``/``"false"`` in
    any case; anything else raises one :class:`~ecr_patterns.core.errors.ValidationError`."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    problems = Problems()
    problems.add(name, value, "set the context value to true or false (cdk.json, or -c name=true)", code=code)
    problems.raise_if_any(context=f"context value {name}")
    return False


def shown(value: object) -> object:
    """A value as an error shows it: plain data as it is, a construct or other object by its type."""
    if value is None or isinstance(value, str | int | float | bool | list | tuple | dict):
        return value
    path = getattr(getattr(value, "node", None), "path", None)
    return f"{type(value).__name__}({path})" if isinstance(path, str) else type(value).__name__


def check_construct_id(problems: Problems, value: object, *, code: Code) -> None:
    """A construct id: a non-empty string (``constructs`` forbids ``/`` in ids)."""
    if not isinstance(value, str) or not value or "/" in value:
        problems.add("id", value, "give a non-empty construct id without '/'", code=code)
