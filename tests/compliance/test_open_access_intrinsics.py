"""EcrPatterns-OpenAccess follows ``Fn::If`` and ``AWS::NoValue`` into every branch CloudFormation can deploy."""

from __future__ import annotations

import itertools
import json
import re
import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_patterns.core.compliance.engine import ComplianceConfig, check_templates
from ecr_patterns.core.compliance.intrinsics import ABSENT, DEFAULT_LIMIT, alternatives, expand
from ecr_patterns.core.compliance.model import Status
from ecr_patterns.core.compliance.rules.open_access import check_policy, is_everyone, is_restricted, open_statements
from ecr_patterns.core.settings import DeployTime

ACCOUNT = "arn:aws:iam::111111111111:root"
OTHER = "arn:aws:iam::222222222222:root"
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}
NO_VALUE = {"Ref": "AWS::NoValue"}
OPEN_ACCESS = "EcrPatterns-OpenAccess"


def if_(condition: str, if_true: Any, if_false: Any) -> dict[str, Any]:
    return {"Fn::If": [condition, if_true, if_false]}


def allow(principal: Any = None, condition: Any = None, **extra: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": ["ecr:BatchGetImage"], **extra}
    if principal is not None:
        statement["Principal"] = principal
    if condition is not None:
        statement["Condition"] = condition
    return statement


def policy(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def why(*statements: Any) -> str:
    """The single reason the policy is open."""
    ((_, reason),) = open_statements(policy(*statements))
    return reason


# Principal hidden in an Fn::If


def test_a_principal_star_in_the_true_branch_of_fn_if_is_open() -> None:
    reason = why(allow(if_("IsProd", "*", {"AWS": ACCOUNT})))
    assert "allows principal * when condition IsProd is true without a StringEquals condition" in reason


def test_a_principal_star_in_the_false_branch_of_fn_if_is_open() -> None:
    reason = why(allow(if_("IsProd", {"AWS": ACCOUNT}, {"AWS": "*"})))
    assert "when condition IsProd is false" in reason


def test_a_principal_fn_if_with_a_specific_principal_in_both_branches_is_not_open() -> None:
    assert open_statements(policy(allow(if_("IsProd", {"AWS": ACCOUNT}, {"AWS": OTHER})))) == []


def test_an_aws_principal_whose_value_is_an_fn_if_holding_star_is_open() -> None:
    assert "when condition Shared is true" in why(allow({"AWS": if_("Shared", "*", ACCOUNT)}))
    assert open_statements(policy(allow({"AWS": if_("Shared", OTHER, ACCOUNT)}))) == []


def test_a_list_of_principals_holding_an_fn_if_with_star_is_open() -> None:
    assert "when condition Shared is true" in why(allow({"AWS": [ACCOUNT, if_("Shared", "*", NO_VALUE)]}))
    assert open_statements(policy(allow({"AWS": [ACCOUNT, if_("Shared", OTHER, NO_VALUE)]}))) == []


def test_the_message_names_only_the_conditions_that_open_the_statement() -> None:
    reason = why(allow({"AWS": [if_("WithAudit", ACCOUNT, NO_VALUE), if_("Shared", "*", NO_VALUE)]}))
    assert "allows principal * when condition Shared is true without" in reason
    assert "WithAudit" not in reason


def test_is_everyone_sees_a_star_in_any_branch() -> None:
    assert is_everyone(allow(if_("IsProd", "*", {"AWS": ACCOUNT})))
    assert is_everyone(allow({"AWS": if_("IsProd", ACCOUNT, "*")}))
    assert not is_everyone(allow({"AWS": if_("IsProd", ACCOUNT, OTHER)}))


# Restricting condition hidden in an Fn::If


def test_a_restricting_condition_present_in_only_one_branch_leaves_the_other_branch_open() -> None:
    reason = why(allow("*", if_("InOrg", ORG, NO_VALUE)))
    assert "allows principal * when condition InOrg is false without a StringEquals condition" in reason
    assert not is_restricted(allow("*", if_("InOrg", ORG, NO_VALUE)))


def test_a_restricting_condition_present_in_both_branches_is_not_open() -> None:
    account = {"StringEquals": {"aws:PrincipalAccount": "111111111111"}}
    statement = allow("*", if_("InOrg", ORG, account))
    assert open_statements(policy(statement)) == []
    assert is_restricted(statement)


def test_a_restricting_key_whose_value_is_no_value_does_not_restrict() -> None:
    condition = {"StringEquals": {"aws:PrincipalOrgID": if_("HasOrg", "o-abc", NO_VALUE)}}
    assert "when condition HasOrg is false" in why(allow({"AWS": "*"}, condition))


def test_one_condition_keeps_one_value_across_the_principal_and_the_condition_block() -> None:
    # IsProd true: principal * restricted to the organization; IsProd false: one account. Never open.
    statement = allow(if_("IsProd", "*", {"AWS": ACCOUNT}), if_("IsProd", ORG, NO_VALUE))
    assert open_statements(policy(statement)) == []


def test_a_for_all_values_operator_in_one_branch_is_open_and_names_the_condition() -> None:
    loose = {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-abc"}}
    reason = why(allow("*", if_("Loose", loose, ORG)))
    assert "uses ForAllValues:StringEquals on a single-valued key when condition Loose is true" in reason
    assert "true when the key is absent" in reason


# Whole statements and statement lists in an Fn::If


def test_a_statement_level_fn_if_with_no_value_is_judged_where_the_statement_exists() -> None:
    assert "when condition Public is true" in why(if_("Public", allow("*"), NO_VALUE))
    assert open_statements(policy(if_("Public", allow({"AWS": ACCOUNT}), NO_VALUE))) == []


def test_a_statement_list_chosen_by_fn_if_is_judged_in_each_arm() -> None:
    document = {"Statement": if_("Public", [allow({"AWS": ACCOUNT})], [allow({"AWS": ACCOUNT}), allow("*")])}
    ((index, reason),) = open_statements(document)
    assert index == 1
    assert "when condition Public is false" in reason
    assert open_statements({"Statement": if_("Public", allow({"AWS": ACCOUNT}), NO_VALUE)}) == []


def test_an_effect_chosen_by_fn_if_is_open_in_its_allow_branch() -> None:
    statement = {"Effect": if_("Locked", "Deny", "Allow"), "Principal": "*", "Action": "ecr:*"}
    assert "when condition Locked is false" in why(statement)


def test_a_not_principal_inside_an_fn_if_is_open() -> None:
    not_principal = {"Effect": "Allow", "NotPrincipal": {"AWS": ACCOUNT}, "Action": "ecr:*"}
    reason = why(if_("Broad", not_principal, allow({"AWS": ACCOUNT})))
    assert "allows NotPrincipal (everyone but the named principals) when condition Broad is true" in reason
    element = {"Effect": "Allow", "NotPrincipal": if_("Broad", {"AWS": ACCOUNT}, NO_VALUE), "Action": "ecr:*"}
    assert "NotPrincipal" in why(element)
    assert "when condition Broad is true" in why(element)


def test_a_whole_policy_document_chosen_by_fn_if_is_judged_in_each_arm() -> None:
    open_text = json.dumps(policy(allow("*")))
    outcome = check_policy(DeployTime(if_("Public", open_text, NO_VALUE)), "Properties.RepositoryPolicyText")
    assert outcome.status is Status.NON_COMPLIANT
    assert "when condition Public is true" in outcome.message
    closed = check_policy(DeployTime(if_("Public", policy(allow({"AWS": ACCOUNT})), NO_VALUE)), "Properties.X")
    assert closed.status is Status.COMPLIANT
    built = {"Fn::Join": ["", ['{"Statement": []}']]}
    assert check_policy(DeployTime(built), "Properties.X").status is Status.NOT_APPLICABLE


# Other intrinsics stay as written


@pytest.mark.parametrize(
    "principal",
    [
        {"AWS": {"Ref": "ConsumerAccountArn"}},
        {"AWS": {"Fn::GetAtt": ["ConsumerRole", "Arn"]}},
        {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}},
        {"AWS": {"Fn::ImportValue": "SharedConsumerArn"}},
        {"Ref": "ConsumerPrincipal"},
    ],
)
def test_a_ref_or_other_deploy_time_principal_stays_a_specific_principal(principal: Any) -> None:
    assert open_statements(policy(allow(principal))) == []
    assert open_statements(policy(allow(if_("IsProd", principal, {"AWS": ACCOUNT})))) == []


# The expansion itself, and its limit


def test_no_value_drops_its_key_or_list_element_and_fn_if_records_its_condition() -> None:
    expansion = expand({"a": NO_VALUE, "b": [1, NO_VALUE, if_("C", 2, NO_VALUE)]})
    assert expansion.complete
    assert [(b.value, dict(b.when)) for b in expansion.branches] == [
        ({"b": [1, 2]}, {"C": True}),
        ({"b": [1]}, {"C": False}),
    ]
    assert expand(NO_VALUE).branches[0].value is ABSENT
    assert [b.value for b in alternatives(if_("C", [if_("D", 1, 2)], 3))] == [[if_("D", 1, 2)], 3]


def test_the_expansion_stops_at_the_limit_and_says_so() -> None:
    six = [if_(f"C{i}", ACCOUNT, OTHER) for i in range(6)]
    assert (len(expand(six).branches), expand(six).complete) == (DEFAULT_LIMIT, True)
    ten = [if_(f"C{i}", ACCOUNT, OTHER) for i in range(10)]
    started = time.perf_counter()
    expansion = expand(ten)
    assert time.perf_counter() - started < 1
    assert (len(expansion.branches), expansion.complete) == (DEFAULT_LIMIT, False)


def test_ten_independent_fn_ifs_with_a_star_in_a_branch_seen_fail_and_say_not_every_branch_was_checked() -> None:
    principals = [if_(f"C{i}", ACCOUNT, OTHER) for i in range(9)] + [if_("C9", "*", ACCOUNT)]
    started = time.perf_counter()
    reason = why(allow({"AWS": principals}))
    assert time.perf_counter() - started < 1
    assert "allows principal * when condition " in reason
    assert "condition C9 is true" in reason
    assert f"not every branch was checked (more than {DEFAULT_LIMIT} combinations of Fn::If conditions)" in reason


def test_ten_independent_fn_ifs_past_the_limit_stay_conservative_when_no_branch_seen_is_open() -> None:
    # The star sits in C0's false arm, which the first 64 branches (C0 true) never reach; the closed branches
    # seen prove nothing about the others, so the statement still fails.
    principals = [if_("C0", ACCOUNT, "*")] + [if_(f"C{i}", ACCOUNT, OTHER) for i in range(1, 10)]
    started = time.perf_counter()
    reason = why(allow({"AWS": principals}, Sid="Consumers"))
    assert time.perf_counter() - started < 1
    assert reason.startswith("statement Consumers may allow principal * without a restricting condition")
    assert "not every branch was checked" in reason
    assert is_everyone(allow({"AWS": principals}))
    assert not is_restricted(allow({"AWS": principals}, ORG))


def test_fn_ifs_outside_the_principal_effect_and_condition_do_not_count_towards_the_limit() -> None:
    actions = [if_(f"C{i}", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer") for i in range(10)]
    statement = {"Effect": "Allow", "Principal": {"AWS": ACCOUNT}, "Action": actions, "Resource": actions}
    assert open_statements(policy(statement)) == []


# Every branch, checked against brute force over every assignment of the conditions

CONDITIONS = ("A", "B", "C")
_GONE = object()


def _resolve(value: Any, env: dict[str, bool]) -> Any:
    """An independent reading of Fn::If and AWS::NoValue for one full assignment of the conditions."""
    if value == NO_VALUE:
        return _GONE
    if isinstance(value, dict) and list(value) == ["Fn::If"]:
        condition, if_true, if_false = value["Fn::If"]
        return _resolve(if_true if env[condition] else if_false, env)
    if isinstance(value, dict):
        return {k: r for k, v in value.items() if (r := _resolve(v, env)) is not _GONE}
    if isinstance(value, list):
        return [r for v in value if (r := _resolve(v, env)) is not _GONE]
    return value


def _open_under(statement: Any, env: dict[str, bool]) -> bool:
    resolved = _resolve(statement, env)
    if not isinstance(resolved, dict) or resolved.get("Effect") != "Allow":
        return False
    principal = resolved.get("Principal")
    aws = principal.get("AWS", []) if isinstance(principal, dict) else []
    everyone = principal == "*" or "*" in (aws if isinstance(aws, list) else [aws])
    return everyone and "aws:PrincipalOrgID" not in (resolved.get("Condition") or {}).get("StringEquals", {})


def _trees(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(leaves, lambda inner: st.builds(if_, st.sampled_from(CONDITIONS), inner, inner), max_leaves=6)


PRINCIPALS = _trees(st.sampled_from(["*", {"AWS": "*"}, {"AWS": ACCOUNT}, {"AWS": OTHER}, NO_VALUE]))
AWS_VALUES = _trees(st.sampled_from(["*", ACCOUNT, OTHER, NO_VALUE]))
CONDITION_BLOCKS = _trees(st.sampled_from([ORG, NO_VALUE, {"StringLike": {"aws:PrincipalOrgID": "o-*"}}]))


@settings(max_examples=200, deadline=None)
@given(
    principal=st.one_of(PRINCIPALS, st.builds(lambda v: {"AWS": v}, AWS_VALUES), st.lists(AWS_VALUES, max_size=3)),
    condition=st.one_of(st.none(), CONDITION_BLOCKS),
)
def test_a_statement_is_open_exactly_when_some_assignment_of_its_conditions_opens_it(
    principal: Any, condition: Any
) -> None:
    if isinstance(principal, list):
        principal = {"AWS": principal}
    statement = allow(principal, condition)
    assignments = [dict(zip(CONDITIONS, values, strict=True)) for values in itertools.product([True, False], repeat=3)]
    expected = any(_open_under(statement, env) for env in assignments)
    found = open_statements(policy(statement))
    assert bool(found) is expected
    if found:
        # The conditions the message names really open the statement, whatever the others are.
        named = {c: v == "true" for c, v in re.findall(r"condition (\w+) is (true|false)", found[0][1])}
        assert all(_open_under(statement, env) for env in assignments if named.items() <= env.items())


# Through the whole engine


def test_check_templates_finds_an_fn_if_principal_in_a_repository_policy() -> None:
    document = policy(allow(if_("IsProd", "*", {"AWS": ACCOUNT})))
    template = {
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
        "Resources": {"Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryPolicyText": document}}},
    }
    (finding,) = [f for f in check_templates({"t.json": template}, ComplianceConfig()) if f.rule_id == OPEN_ACCESS]
    assert (finding.logical_id, finding.location) == ("Repo", "Properties.RepositoryPolicyText.Statement.0")
    assert "allows principal * when condition IsProd is true" in finding.message


def test_check_templates_finds_an_fn_if_principal_in_a_registry_policy() -> None:
    document = policy(allow({"AWS": [ACCOUNT, if_("ShareWithAll", "*", NO_VALUE)]}))
    template = {"Resources": {"Registry": {"Type": "AWS::ECR::RegistryPolicy", "Properties": {"PolicyText": document}}}}
    (finding,) = check_templates({"t.json": template}, ComplianceConfig())
    assert (finding.rule_id, finding.logical_id) == (OPEN_ACCESS, "Registry")
    assert finding.location == "Properties.PolicyText.Statement.0"
    assert "when condition ShareWithAll is true" in finding.message


def test_check_templates_finds_a_repository_policy_wholly_chosen_by_fn_if() -> None:
    document = if_("Public", policy(allow("*")), NO_VALUE)
    repository = {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryPolicyText": document}}
    findings = check_templates({"t.json": {"Resources": {"Repo": repository}}}, ComplianceConfig())
    (finding,) = [f for f in findings if f.rule_id == OPEN_ACCESS]
    assert "when condition Public is true" in finding.message


def test_a_statement_present_in_one_branch_only_is_restricted_where_it_exists() -> None:
    """``AWS::NoValue`` removes the statement in the other branch: nothing there to be unrestricted."""
    from ecr_patterns.core.compliance.rules.open_access import is_everyone, is_restricted

    restricted = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "ecr:BatchGetImage",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    }
    statement = {"Fn::If": ["Shared", restricted, {"Ref": "AWS::NoValue"}]}
    assert is_restricted(statement)
    assert is_everyone(statement)
