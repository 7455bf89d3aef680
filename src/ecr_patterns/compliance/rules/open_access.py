"""EcrPatterns-OpenAccess: no ``*`` principal without a restricting condition, and no ``ForAllValues:``
on a single-valued key (it is true when the key is absent)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecr_patterns.compliance.model import Level, Outcome, Rule, RuleContext

RESTRICTING_KEYS = frozenset({"aws:principalorgid", "aws:sourceaccount", "aws:sourcearn", "aws:principalaccount"})
# Global condition keys with one value per request (IAM User Guide, "AWS global condition context keys").
SINGLE_VALUED_KEYS = RESTRICTING_KEYS | frozenset(
    {"aws:principalarn", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:userid"}
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_everyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any(p == "*" for p in _as_list(principal.get("AWS", [])))
    return False


SCANNER_SAFE_KEYS = frozenset({"aws:principalorgid", "aws:sourceaccount", "aws:sourcearn"})
"""The keys whose ``StringEquals`` makes a ``*`` principal safe enough to acknowledge scanners' findings."""


def every_star_statement_restricted(policy: Any) -> bool:
    """Whether ``policy`` (a resolved repository policy document) has ``*``-principal Allow statements and
    every one of them is restricted by ``StringEquals`` on ``aws:PrincipalOrgID``, ``aws:SourceAccount``
    or ``aws:SourceArn``, with no ``ForAllValues:`` operator on a single-valued key."""
    if not isinstance(policy, Mapping):
        return False
    stars = [
        s
        for s in _as_list(policy.get("Statement", []))
        if isinstance(s, Mapping) and s.get("Effect") == "Allow" and _is_everyone(s.get("Principal"))
    ]
    if not stars:
        return False
    for statement in stars:
        conditions = statement.get("Condition") or {}
        if any(
            op.startswith("ForAllValues:") and any(k.lower() in SINGLE_VALUED_KEYS for k in keys)
            for op, keys in conditions.items()
        ):
            return False
        if not any(k.lower() in SCANNER_SAFE_KEYS for k in conditions.get("StringEquals") or {}):
            return False
    return True


def check(resource: Mapping[str, Any], ctx: RuleContext) -> Outcome:
    policy = (resource.get("Properties") or {}).get("RepositoryPolicyText")
    if not policy:
        return Outcome.not_applicable()
    for index, statement in enumerate(_as_list(policy.get("Statement", []))):
        if statement.get("Effect") != "Allow":
            continue
        where = f"Properties.RepositoryPolicyText.Statement.{index}"
        conditions = statement.get("Condition") or {}
        for operator, keys in conditions.items():
            if operator.startswith("ForAllValues:") and any(k.lower() in SINGLE_VALUED_KEYS for k in keys):
                return Outcome.fail(
                    f"statement {statement.get('Sid', index)} uses {operator} on a single-valued key: "
                    "it is true when the key is absent",
                    where,
                )
        if _is_everyone(statement.get("Principal")):
            restricted = any(
                operator in ("StringEquals", "ArnEquals", "StringEqualsIgnoreCase")
                and any(k.lower() in RESTRICTING_KEYS for k in keys)
                for operator, keys in conditions.items()
            )
            if not restricted:
                return Outcome.fail(
                    f"statement {statement.get('Sid', index)} allows principal * without a StringEquals condition on "
                    "aws:PrincipalOrgID, aws:SourceAccount or aws:SourceArn",
                    where,
                )
    return Outcome.ok()


RULE = Rule(
    id="EcrPatterns-OpenAccess",
    level=Level.ERROR,
    explanation="A '*' principal without a restricting condition lets any AWS account pull (or push) images.",
    fix="Use grant_pull_to_accounts / grant_pull_to_organization (StringEquals on aws:PrincipalOrgID).",
    check=check,
)
