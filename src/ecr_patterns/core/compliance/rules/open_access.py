"""EcrPatterns-OpenAccess: no policy lets every AWS principal in.

One definition of "open", used for repository policies, registry policies (``AWS::ECR::RegistryPolicy``) and
creation templates' repository policies alike. An ``Allow`` statement is open when its principal is everyone
(``"*"``, ``{"AWS": "*"}``, a list holding ``"*"``) or it names a ``NotPrincipal`` ("everyone except", IAM User
Guide, "AWS JSON policy elements: NotPrincipal"), unless a condition restricts it: ``StringEquals``,
``StringEqualsIgnoreCase`` or ``ArnEquals`` on ``aws:PrincipalOrgID``, ``aws:PrincipalAccount``,
``aws:SourceAccount`` or ``aws:SourceArn``. ``ForAllValues:`` on a single-valued key never restricts: it is true
when the key is absent (IAM User Guide, "Single-valued vs. multivalued context keys")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import DeployTime, RepositorySettings

RESTRICTING_KEYS = frozenset({"aws:principalorgid", "aws:principalaccount", "aws:sourceaccount", "aws:sourcearn"})
RESTRICTING_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "ArnEquals"})
# Global condition keys with one value per request (IAM User Guide, "AWS global condition context keys").
SINGLE_VALUED_KEYS = RESTRICTING_KEYS | frozenset(
    {"aws:principalarn", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:userid"}
)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def is_everyone(statement: Mapping[str, Any]) -> bool:
    """Whether an ``Allow`` statement's principal is everyone (or everyone but a ``NotPrincipal``)."""
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any(p == "*" for p in _as_list(principal.get("AWS", [])))
    return False


def is_restricted(statement: Mapping[str, Any]) -> bool:
    """Whether a condition limits the statement to known accounts, an organization or a source."""
    conditions = statement.get("Condition") or {}
    return isinstance(conditions, Mapping) and any(
        operator in RESTRICTING_OPERATORS
        and isinstance(keys, Mapping)
        and any(str(k).lower() in RESTRICTING_KEYS for k in keys)
        for operator, keys in conditions.items()
    )


def open_statements(policy: Any) -> list[tuple[int, str]]:
    """``(statement index, why)`` for each statement of a policy document that lets everyone in."""
    if not isinstance(policy, Mapping):
        return []
    found = []
    for index, statement in enumerate(_as_list(policy.get("Statement", []))):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        name = statement.get("Sid", index)
        conditions = statement.get("Condition") or {}
        loose = [
            op
            for op, keys in (conditions.items() if isinstance(conditions, Mapping) else [])
            if op.startswith("ForAllValues:") and any(str(k).lower() in SINGLE_VALUED_KEYS for k in keys or {})
        ]
        if loose:
            found.append(
                (index, f"statement {name} uses {loose[0]} on a single-valued key: it is true when the key is absent")
            )
        elif is_everyone(statement) and not is_restricted(statement):
            who = "NotPrincipal (everyone but the named principals)" if "NotPrincipal" in statement else "principal *"
            found.append(
                (
                    index,
                    f"statement {name} allows {who} without a StringEquals condition on aws:PrincipalOrgID, "
                    "aws:PrincipalAccount, aws:SourceAccount or aws:SourceArn",
                )
            )
    return found


def check_policy(policy: Any, location: str) -> Outcome:
    """The rule on one policy document, ``location`` naming where it sits."""
    if policy is None or isinstance(policy, DeployTime):
        return Outcome.not_applicable()
    found = open_statements(policy)
    if not found:
        return Outcome.ok()
    index, why = found[0]
    return Outcome.fail(why, f"{location}.Statement.{index}")


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    location = (
        "Properties.RepositoryPolicy" if settings.source == "creation-template" else "Properties.RepositoryPolicyText"
    )
    return check_policy(settings.repository_policy, location)


RULE = Rule(
    id="EcrPatterns-OpenAccess",
    level=Level.ERROR,
    explanation="A '*' principal without a restricting condition lets any AWS account pull (or push) images.",
    fix="Use grant_pull_to_accounts / grant_pull_to_organization (StringEquals on aws:PrincipalOrgID).",
    check=check,
)
