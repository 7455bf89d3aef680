"""Compare what was synthesized with what the API answers.

A synthesized policy may hold pseudo parameters (``{"Ref": "AWS::Region"}``) inside ``Fn::Join``;
:func:`resolve` substitutes the target's values (and refuses anything else, so an unexpected
token fails the test instead of comparing as a string). :func:`canonical_policy` puts an IAM
policy into one form (every value a sorted list, statements ordered by ``Sid``), because a
service may answer ``"Action": "x"`` for ``["x"]``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def resolve(value: Any, pseudo: Mapping[str, str]) -> Any:
    """``value`` with ``Ref`` to pseudo parameters and ``Fn::Join`` evaluated."""
    if isinstance(value, list):
        return [resolve(v, pseudo) for v in value]
    if isinstance(value, dict):
        if set(value) == {"Ref"}:
            name = value["Ref"]
            if name not in pseudo:
                raise ValueError(
                    f"cannot resolve Ref {name!r} outside a deployment (pseudo parameters: {sorted(pseudo)})"
                )
            return pseudo[name]
        if set(value) == {"Fn::Join"}:
            separator, parts = value["Fn::Join"]
            return separator.join(str(resolve(p, pseudo)) for p in parts)
        if any(key.startswith("Fn::") for key in value):
            raise ValueError(f"cannot resolve {sorted(value)} outside a deployment")
        return {k: resolve(v, pseudo) for k, v in value.items()}
    return value


def _as_sorted_list(value: Any) -> list[Any]:
    items = value if isinstance(value, list) else [value]
    return sorted(items, key=json.dumps)


def canonical_policy(policy: str | Mapping[str, Any]) -> dict[str, Any]:
    """One form for an IAM policy document, given as JSON text or parsed."""
    document = json.loads(policy) if isinstance(policy, str) else dict(policy)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    canonical = []
    for statement in statements:
        out: dict[str, Any] = {}
        for key, value in statement.items():
            if key in ("Action", "NotAction", "Resource", "NotResource"):
                out[key] = _as_sorted_list(value)
            elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
                out[key] = {k: _as_sorted_list(v) for k, v in value.items()}
            elif key == "Condition":
                out[key] = {op: {k: _as_sorted_list(v) for k, v in keys.items()} for op, keys in value.items()}
            else:
                out[key] = value
        canonical.append(out)
    return {
        "Version": document.get("Version"),
        "Statement": sorted(canonical, key=lambda s: (str(s.get("Sid", "")), json.dumps(s, sort_keys=True))),
    }
