"""Bad input fails where it arrives with one ValidationError naming the code, the argument and the value: one
parametrized case per public callable and kind of mistake (issue #22's list first)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, ValidationError
from ecr_patterns.compliance import acknowledge_scanner_findings
from ecr_patterns.constructs.compliance.aspect import EcrCompliance, add_compliance_everywhere
from ecr_patterns.constructs.compliance.marks import mark_production
from ecr_patterns.constructs.compliance.suppressions import suppress
from ecr_patterns.constructs.grants import grant_pull_to_lambda

Case = Callable[[cdk.Stack], object]


def _repo(stack: cdk.Stack) -> SecureRepository:
    return SecureRepository(stack, "Repo")


def _topic(stack: cdk.Stack) -> sns.Topic:
    return sns.Topic(stack, "Topic")


CASES: dict[str, tuple[Case, str, str]] = {
    # (call, the argument named, the code)
    "tag_prefixes given as a string, not a list": (
        lambda s: _repo(s).notify_on_image_push(targets.SnsTopic(_topic(s)), tag_prefixes="prod-"),
        "tag_prefixes",
        "events.argument",
    ),
    "a topic where a rule target belongs": (
        lambda s: _repo(s).notify_on_image_push(_topic(s)),  # type: ignore[arg-type]
        "target",
        "events.argument",
    ),
    "a rule target where a topic belongs": (
        lambda s: _repo(s).notify_on_scan_findings(targets.SnsTopic(_topic(s))),  # type: ignore[arg-type]
        "topic",
        "events.argument",
    ),
    "a severity that is not a string": (
        lambda s: _repo(s).notify_on_scan_findings(_topic(s), min_severity=5),  # type: ignore[arg-type]
        "min_severity",
        "events.argument",
    ),
    "allow_destroy given as a string": (
        lambda s: ProdRepository(s, "P", allow_destroy="yes"),  # type: ignore[arg-type]
        "allow_destroy",
        "repository.arguments",
    ),
    "grant_accounts given as a string": (
        lambda s: _repo(s).grant_pull_to_lambda("111111111111", grant_accounts="no"),  # type: ignore[arg-type]
        "grant_accounts",
        "grant.account",
    ),
    "an account id that is not 12 digits": (
        lambda s: _repo(s).grant_pull_to_accounts("x"),
        "account_ids",
        "grant.account",
    ),
    "an organization id of the wrong shape": (
        lambda s: _repo(s).grant_pull_to_organization("org-1"),
        "organization_id",
        "grant.organization",
    ),
    "lambda accounts of the wrong shape": (
        lambda s: grant_pull_to_lambda(_repo(s), "12"),
        "account_ids",
        "grant.account",
    ),
    "one lifecycle rule where a list belongs": (
        lambda s: SecureRepository(s, "R", lifecycle_rules=ecr.LifecycleRule(max_image_count=5)),  # type: ignore[arg-type]
        "lifecycle_rules",
        "repository.arguments",
    ),
    "lifecycle rules given as dicts": (
        lambda s: SecureRepository(s, "R", lifecycle_rules=[{"max_image_count": 5}]),  # type: ignore[list-item]
        "lifecycle_rules",
        "repository.arguments",
    ),
    "image_scan_on_push given as a string": (
        lambda s: SecureRepository(s, "R", image_scan_on_push="false"),  # type: ignore[arg-type]
        "image_scan_on_push",
        "repository.arguments",
    ),
    "a mutability given as a string": (
        lambda s: DevRepository(s, "R", image_tag_mutability="IMMUTABLE"),  # type: ignore[arg-type]
        "image_tag_mutability",
        "repository.arguments",
    ),
    "a removal policy given as a string": (
        lambda s: SecureRepository(s, "R", removal_policy="retain"),  # type: ignore[arg-type]
        "removal_policy",
        "repository.arguments",
    ),
    "exclusion filters given as a string": (
        lambda s: SecureRepository(s, "R", image_tag_mutability_exclusion_filters="latest"),  # type: ignore[arg-type]
        "image_tag_mutability_exclusion_filters",
        "repository.arguments",
    ),
    "an ARN string where a key belongs": (
        lambda s: SecureRepository(s, "R", encryption_key="arn:aws:kms:eu-west-1:111111111111:key/x"),  # type: ignore[arg-type]
        "encryption_key",
        "repository.encryption",
    ),
    "suppress on an SNS topic": (
        lambda s: suppress(_topic(s), "EcrPatterns-ScanOnPush", "a topic is not a repository"),
        "scope",
        "compliance.scope",
    ),
    "suppress with no reason": (
        lambda s: suppress(_repo(s), "EcrPatterns-ScanOnPush", ""),
        "reason",
        "compliance.suppression",
    ),
    "suppress an unknown rule": (
        lambda s: suppress(_repo(s), "EcrPatterns-Nope", "a reason long enough"),
        "rule_id",
        "compliance.suppression",
    ),
    "apply_to a string": (lambda s: EcrCompliance().apply_to("x"), "scope", "compliance.scope"),  # type: ignore[arg-type]
    "add_compliance_everywhere on a stack": (
        lambda s: add_compliance_everywhere(s),  # type: ignore[arg-type]
        "app",
        "compliance.scope",
    ),
    "mark_production on a topic": (lambda s: mark_production(_topic(s)), "repository", "compliance.scope"),
    "scanner acknowledgement with a string for checks": (
        lambda s: acknowledge_scanner_findings(_repo(s), checks="CKV_AWS_32", reason="a reason long enough"),
        "checks",
        "compliance.suppression",
    ),
    "scanner acknowledgement with a short reason": (
        lambda s: acknowledge_scanner_findings(_repo(s), checks=["CKV_AWS_32"], reason="ok"),
        "reason",
        "compliance.suppression",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_raises_one_validation_error_naming_the_argument_and_its_code(case: str) -> None:
    call, argument, code = CASES[case]
    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(ValidationError) as raised:
        call(stack)
    assert argument in [v.field for v in raised.value.violations], str(raised.value)
    assert code in [str(c) for c in raised.value.codes], str(raised.value)


@pytest.mark.parametrize(("value", "expected"), [("yes", None), ("TRUE", True), ("false", False), (1, None)])
def test_the_require_key_context_value_is_a_bool_or_an_error(value: Any, expected: bool | None) -> None:
    app = cdk.App(context={"ecr-patterns:requireCustomerManagedKey": value})
    stack = cdk.Stack(app, "S")
    if expected is None:
        with pytest.raises(ValidationError, match="requireCustomerManagedKey"):
            SecureRepository(stack, "R")
    elif expected:
        with pytest.raises(ValidationError, match="customer managed key is required"):
            SecureRepository(stack, "R")
    else:
        SecureRepository(stack, "R")


def test_tag_prefixes_given_as_a_list_match_whole_prefixes_not_letters() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    _repo(stack).notify_on_image_push(targets.SnsTopic(_topic(stack)), tag_prefixes=["prod-"])
    rules = cdk.assertions.Template.from_stack(stack).find_resources("AWS::Events::Rule")
    (rule,) = rules.values()
    assert rule["Properties"]["EventPattern"]["detail"]["image-tag"] == [{"prefix": "prod-"}]
