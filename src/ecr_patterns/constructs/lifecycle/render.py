"""The one lifecycle policy renderer: every construct that writes a lifecycle policy calls it.

One key order (the model's, see :meth:`PolicyRule.to_json`) and one token rule: values that are
unresolved CDK tokens are left to CloudFormation, and everything else in the policy is validated
as ECR would validate it. A policy without tokens is written as compact JSON text; one with tokens
through ``Stack.to_json_string`` (so CloudFormation resolves them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aws_cdk import Stack, Token
from constructs import IConstruct

from ecr_patterns.core.errors import ValidationError
from ecr_patterns.core.lifecycle.model import LifecyclePolicy, PolicyRule
from ecr_patterns.core.lifecycle.validate import lifecycle_policy_violations


def render_lifecycle_policy(scope: IConstruct, rules: Sequence[PolicyRule], *, where: Callable[[], str]) -> str | None:
    """The policy text of ``rules`` (priorities assigned), or ``None`` when there are none.

    Raises :class:`ValidationError` (context: ``where()``, the construct path, asked only on error)
    listing every violation ECR would reject, except those whose value is an unresolved token.
    """
    if not rules:
        return None
    policy = LifecyclePolicy.from_rules(rules)
    data = policy.to_json()
    problems = lifecycle_policy_violations(data)
    tokens = has_token(data)
    if tokens:
        problems = [p for p in problems if not has_token(p.value)]
    if problems:
        raise ValidationError(problems, context=f"{where()}: lifecycle_rules")
    if tokens:
        return str(Stack.of(scope).to_json_string(data))
    return policy.to_text()


def has_token(value: Any) -> bool:
    """True when a JSON-like value holds an unresolved CDK token.

    Only floats and strings that look like encoded tokens are asked about (one call into Node
    each); the ints and plain strings of a policy cost nothing.
    """
    if isinstance(value, dict):
        return any(has_token(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_token(v) for v in value)
    if isinstance(value, float) or (isinstance(value, str) and "Token[" in value):
        return bool(Token.is_unresolved(value))
    return False
