"""EcrPatterns-OpenAccess: no policy lets every AWS principal in.

One definition of "open", used for repository policies, registry policies (``AWS::ECR::RegistryPolicy``) and
creation templates' repository policies alike. An ``Allow`` statement is open when its principal is everyone
(``"*"``, ``{"AWS": "*"}``, a list holding ``"*"``) or it names a ``NotPrincipal`` ("everyone except", IAM User
Guide, "AWS JSON policy elements: NotPrincipal"), unless a condition restricts it: ``StringEquals``,
``StringEqualsIgnoreCase`` or ``ArnEquals`` on ``aws:PrincipalOrgID``, ``aws:PrincipalAccount``,
``aws:SourceAccount`` or ``aws:SourceArn``. ``ForAllValues:`` on a single-valued key never restricts: it is true
when the key is absent (IAM User Guide, "Single-valued vs. multivalued context keys").

CloudFormation intrinsics are expanded first (:mod:`ecr_patterns.core.compliance.intrinsics`): every ``Fn::If``
(around the whole document, the ``Statement`` list, a statement, its ``Effect``, ``Principal``, ``NotPrincipal``
or ``Condition``, or any value inside them) is followed into both arms, and ``{"Ref": "AWS::NoValue"}`` removes
its key or list element. A statement is open when any branch CloudFormation can deploy is open, and the message
names the conditions that choose that branch. Past ``intrinsics.DEFAULT_LIMIT`` branches per statement the rule
stops expanding and stays conservative: the statement fails, and the message says not every branch was checked.
Other intrinsics stay as written: a ``Ref`` or ``Fn::GetAtt`` principal is a specific principal, and only the
literal ``"*"`` is everyone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ecr_patterns.core.compliance.intrinsics import (
    ABSENT,
    NO_VALUE,
    Assumptions,
    Branch,
    Expansion,
    alternatives,
    describe,
    expand,
    fn_if,
)
from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import DeployTime, RepositorySettings, document

RESTRICTING_KEYS = frozenset({"aws:principalorgid", "aws:principalaccount", "aws:sourceaccount", "aws:sourcearn"})
RESTRICTING_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "ArnEquals"})
# Global condition keys with one value per request (IAM User Guide, "AWS global condition context keys").
SINGLE_VALUED_KEYS = RESTRICTING_KEYS | frozenset(
    {"aws:principalarn", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce", "aws:sourceip", "aws:userid"}
)
JUDGED_KEYS = frozenset({"Sid", "Effect", "Principal", "NotPrincipal", "Condition"})
"""The statement elements the rule reads: only their ``Fn::If`` count towards the expansion limit (one in
``Action`` or ``Resource`` changes nothing about who is let in)."""


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _judged(statement: Any) -> Any:
    """The statement cut down to :data:`JUDGED_KEYS`, through a statement-level ``Fn::If`` chain (an
    ``AWS::NoValue`` arm stays itself: no statement there, not an empty one)."""
    if statement == NO_VALUE:
        return statement
    parts = fn_if(statement)
    if parts is not None:
        condition, if_true, if_false = parts
        return {"Fn::If": [condition, _judged(if_true), _judged(if_false)]}
    if isinstance(statement, Mapping):
        return {k: v for k, v in statement.items() if k in JUDGED_KEYS}
    return statement


def _statements(expansion: Expansion) -> Iterator[Branch]:
    return (b for b in expansion.branches if isinstance(b.value, Mapping))


def _everyone(statement: Mapping[str, Any]) -> bool:
    """Whether one concrete statement's principal is everyone (or everyone but a ``NotPrincipal``)."""
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if isinstance(principal, Mapping):
        return any(p == "*" for p in _as_list(principal.get("AWS", [])))
    return False


def _restricted(statement: Mapping[str, Any]) -> bool:
    """Whether one concrete statement's condition limits it to known accounts, an organization or a source."""
    conditions = statement.get("Condition") or {}
    return isinstance(conditions, Mapping) and any(
        operator in RESTRICTING_OPERATORS
        and isinstance(keys, Mapping)
        and any(str(k).lower() in RESTRICTING_KEYS for k in keys)
        for operator, keys in conditions.items()
    )


def _loose_operators(statement: Mapping[str, Any]) -> list[str]:
    """``ForAllValues:`` operators on a single-valued key in one concrete statement's condition."""
    conditions = statement.get("Condition") or {}
    return [
        op
        for op, keys in (conditions.items() if isinstance(conditions, Mapping) else [])
        if str(op).startswith("ForAllValues:") and any(str(k).lower() in SINGLE_VALUED_KEYS for k in keys or {})
    ]


def is_everyone(statement: Mapping[str, Any]) -> bool:
    """Whether an ``Allow`` statement's principal is everyone (or everyone but a ``NotPrincipal``) in some branch
    CloudFormation can deploy; true too when there are more branches than the expansion limit."""
    expansion = expand(_judged(statement))
    return not expansion.complete or any(_everyone(b.value) for b in _statements(expansion))


def is_restricted(statement: Mapping[str, Any]) -> bool:
    """Whether a condition limits the statement to known accounts, an organization or a source, in every branch
    CloudFormation can deploy (false when there are more branches than the expansion limit)."""
    expansion = expand(_judged(statement))
    return expansion.complete and all(_restricted(b.value) for b in _statements(expansion))


def _why_open(name: Any, statement: Mapping[str, Any], when: Assumptions) -> str | None:
    """Why one concrete statement lets everyone in, the conditions ``when`` choosing it; ``None`` if it does not."""
    if statement.get("Effect") != "Allow":
        return None
    loose = _loose_operators(statement)
    if loose:
        return (
            f"statement {name} uses {loose[0]} on a single-valued key{describe(when)}: "
            "it is true when the key is absent"
        )
    if _everyone(statement) and not _restricted(statement):
        who = "NotPrincipal (everyone but the named principals)" if "NotPrincipal" in statement else "principal *"
        return (
            f"statement {name} allows {who}{describe(when)} without a StringEquals condition on aws:PrincipalOrgID, "
            "aws:PrincipalAccount, aws:SourceAccount or aws:SourceArn"
        )
    return None


def _reason(index: int, branch: Branch) -> str | None:
    """Why one branch is open, without naming conditions; ``None`` if it is closed or no statement."""
    if not isinstance(branch.value, Mapping):
        return None
    return _why_open(branch.value.get("Sid", index), branch.value, {})


def _fewest_conditions(index: int, judged: Any, branch: Branch, chosen: Assumptions) -> Assumptions:
    """The branch's conditions less each one the statement stays open without, for the same reason, in every
    branch (all checked); conditions a surrounding ``Fn::If`` already ``chosen`` are kept."""
    reason, kept = _reason(index, branch), dict(branch.when)
    for condition in [c for c in branch.when if c not in chosen]:
        trial = {c: v for c, v in kept.items() if c != condition}
        expansion = expand(judged, when=trial)
        if expansion.complete and all(_reason(index, b) == reason for b in expansion.branches):
            kept = trial
    return kept


def _judge(index: int, judged: Any, chosen: Assumptions) -> str | None:
    """Why the statement at ``index`` is open in any of its branches; past the limit, open unless proven closed."""
    expansion = expand(judged, when=chosen)
    unchecked = f"not every branch was checked (more than {expansion.limit} combinations of Fn::If conditions)"
    for branch in _statements(expansion):
        if _reason(index, branch) is not None:
            when = _fewest_conditions(index, judged, branch, chosen)
            why = _why_open(branch.value.get("Sid", index), branch.value, when)
            return why if expansion.complete else f"{why}; {unchecked}"
    if expansion.complete:
        return None
    name = next((b.value.get("Sid", index) for b in _statements(expansion)), index)
    return (
        f"statement {name} may allow principal * without a restricting condition: {unchecked}, and the first "
        f"{expansion.limit} are closed; simplify the conditions"
    )


def _slots(statements: Any, when: Assumptions) -> Iterator[tuple[int, Any, Assumptions]]:
    """Each statement of a ``Statement`` element (a list, one statement, or an ``Fn::If`` choosing either): its
    index in the list, its :func:`_judged` parts, and the conditions that choose it."""
    if isinstance(statements, list):
        for index, statement in enumerate(statements):
            yield index, _judged(statement), when
    elif fn_if(statements) is not None:
        for branch in alternatives(statements, when=when):
            if branch.value is not ABSENT:
                yield from _slots(branch.value, branch.when)
    else:
        yield 0, _judged(statements), when


def open_statements(policy: Any, *, when: Assumptions | None = None) -> list[tuple[int, str]]:
    """``(statement index, why)`` for each statement of a policy document that lets everyone in, in any branch
    CloudFormation can deploy (``when``: conditions a surrounding ``Fn::If`` already chose). ``why`` names the
    fewest conditions that open the statement."""
    if not isinstance(policy, Mapping):
        return []
    found: dict[int, str] = {}
    for index, judged, chosen in _slots(policy.get("Statement", []), dict(when or {})):
        why = _judge(index, judged, chosen)
        if why is not None:
            found.setdefault(index, why)
    return list(found.items())


def _documents(policy: Any) -> list[Branch]:
    """The policy documents a policy value can deploy: itself, or each arm of an ``Fn::If`` around the whole
    document (JSON text read too). A document otherwise built at deploy time (``Fn::Join``...) gives none."""
    if isinstance(policy, Mapping):
        return [Branch(policy)]
    if not isinstance(policy, DeployTime) or fn_if(policy.raw) is None:
        return []
    arms = [(document(b.value), b.when) for b in alternatives(policy.raw) if b.value is not ABSENT]
    return [Branch(doc, when) for doc, when in arms if isinstance(doc, Mapping)]


def check_policy(policy: Any, location: str) -> Outcome:
    """The rule on one policy document, ``location`` naming where it sits."""
    documents = _documents(policy)
    if not documents:
        return Outcome.not_applicable()
    for doc in documents:
        found = open_statements(doc.value, when=doc.when)
        if found:
            index, why = found[0]
            return Outcome.fail(why, f"{location}.Statement.{index}")
    return Outcome.ok()


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
