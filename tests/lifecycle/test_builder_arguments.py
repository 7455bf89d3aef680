# mypy: disable-error-code="arg-type,list-item"
# Bad input on purpose: these tests pass what the builders' types refuse, to prove the runtime checks.
"""Every lifecycle builder checks its arguments at once, with the checks the validator uses
(``ecr_patterns.core.lifecycle.checks``): a bad one is a ``ValidationError`` naming the stable code, the argument,
the value and the fix; never a raw Python error, a string split into letters, or a rule ECR would refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest

from ecr_patterns import ValidationError
from ecr_patterns import lifecycle as lc
from ecr_patterns.core.lifecycle import standard
from ecr_patterns.core.lifecycle.model import TagStatus

ARG = "lifecycle.argument"
NUMBER = "lifecycle.count-number"
WILDCARDS = "lifecycle.wildcards"
DAYS = "must be a whole number of days >= 1, e.g. days=30"
IMAGES = "must be a whole number of images >= 1, e.g. count=30"
PRIORITY = "must be a whole number >= 1, or None to number it in order of addition"
NOT_PULLED = lc.archive_images_not_pulled_for_days
PUSHED = lc.archive_images_pushed_more_than_days_ago
ARCHIVED = lc.delete_archived_images_after_days


def unchecked(value: object) -> Any:
    """``value`` as a caller without a type checker gives it: the builders must refuse at run time what their
    annotations already forbid."""
    return value


CASES: list[Any] = [
    # the CDK helpers (rules.py)
    ("delete_untagged_after_days refuses zero days", lambda: lc.delete_untagged_after_days(0), ARG, f"days=0: {DAYS}"),
    (
        "delete_untagged_after_days refuses negative days",
        lambda: lc.delete_untagged_after_days(-1),
        ARG,
        f"days=-1: {DAYS}",
    ),
    (
        "delete_untagged_after_days refuses a bool for days",
        lambda: lc.delete_untagged_after_days(True),
        ARG,
        f"days=True: {DAYS}",
    ),
    (
        "delete_untagged_after_days refuses a string for days",
        lambda: lc.delete_untagged_after_days("7"),
        ARG,
        f"days='7': {DAYS}",
    ),
    (
        "delete_untagged_after_days refuses a rule_priority of zero",
        lambda: lc.delete_untagged_after_days(7, rule_priority=0),
        ARG,
        f"rule_priority=0: {PRIORITY}",
    ),
    ("keep_last_n_images refuses a count of zero", lambda: lc.keep_last_n_images(0), ARG, f"count=0: {IMAGES}"),
    (
        "keep_last_n_images refuses a bool for the count",
        lambda: lc.keep_last_n_images(False),
        ARG,
        f"count=False: {IMAGES}",
    ),
    (
        "keep_last_n_images refuses a float for the count",
        lambda: lc.keep_last_n_images(2.0),
        ARG,
        f"count=2.0: {IMAGES}",
    ),
    (
        "keep_last_n_images refuses a bool for the rule_priority",
        lambda: lc.keep_last_n_images(5, rule_priority=True),
        ARG,
        f"rule_priority=True: {PRIORITY}",
    ),
    (
        "delete_tagged_after_days refuses a number where the prefix belongs",
        lambda: lc.delete_tagged_after_days(123, 3),
        ARG,
        "prefix=123: give a tag prefix or a list of them, e.g. prefix='prod'",
    ),
    (
        "delete_tagged_after_days refuses None for the prefix",
        lambda: lc.delete_tagged_after_days(None, 3),
        ARG,
        "prefix=None: give a tag prefix or a list of them, e.g. prefix='prod'",
    ),
    (
        "delete_tagged_after_days refuses a set of prefixes, whose order is not stable",
        lambda: lc.delete_tagged_after_days({"prod"}, 3),
        ARG,
        "prefix={'prod'}: give a tag prefix or a list of them, e.g. prefix='prod'",
    ),
    (
        "delete_tagged_after_days refuses bytes for the prefix",
        lambda: lc.delete_tagged_after_days(b"prod", 3),
        ARG,
        "prefix=b'prod': give a tag prefix or a list of them, e.g. prefix='prod'",
    ),
    (
        "delete_tagged_after_days refuses a number in the prefix list",
        lambda: lc.delete_tagged_after_days(["prod", 1], 3),
        ARG,
        "prefix=1: a tag prefix must be a non-empty string, e.g. 'prod'",
    ),
    (
        "delete_tagged_after_days refuses a prefix with a wildcard",
        lambda: lc.delete_tagged_after_days("v*", 3),
        ARG,
        "prefix='v*': a prefix cannot contain '*'; use delete_tagged_matching_after_days for wildcard patterns",
    ),
    (
        "delete_tagged_after_days refuses a bool for days",
        lambda: lc.delete_tagged_after_days("dev", True),
        ARG,
        f"days=True: {DAYS}",
    ),
    (
        "delete_tagged_after_days refuses a string for the rule_priority",
        lambda: lc.delete_tagged_after_days("dev", 3, rule_priority="1"),
        ARG,
        f"rule_priority='1': {PRIORITY}",
    ),
    (
        "delete_tagged_matching_after_days refuses a pattern with five wildcards",
        lambda: lc.delete_tagged_matching_after_days("*a*b*c*d*", 3),
        WILDCARDS,
        "pattern='*a*b*c*d*': has 5 '*' wildcards; ECR allows at most 4 per pattern: use four or fewer",
    ),
    (
        "delete_tagged_matching_after_days refuses five wildcards in the second pattern of a list",
        lambda: lc.delete_tagged_matching_after_days(["ok*", "*a*b*c*d*e"], 3),
        WILDCARDS,
        "pattern='*a*b*c*d*e': has 5 '*' wildcards; ECR allows at most 4 per pattern: use four or fewer",
    ),
    (
        "delete_tagged_matching_after_days refuses a number where the pattern belongs",
        lambda: lc.delete_tagged_matching_after_days(5, 3),
        ARG,
        "pattern=5: give a tag pattern or a list of them, e.g. pattern='prod'",
    ),
    (
        "delete_tagged_matching_after_days refuses an empty pattern list",
        lambda: lc.delete_tagged_matching_after_days([], 3),
        ARG,
        "pattern=[]: give at least one tag pattern, e.g. pattern='prod'",
    ),
    (
        "delete_tagged_matching_after_days refuses zero days",
        lambda: lc.delete_tagged_matching_after_days("*-rc*", 0),
        ARG,
        f"days=0: {DAYS}",
    ),
    (
        "keep_tagged_images refuses an empty prefix in a tuple",
        lambda: lc.keep_tagged_images(("prod", ""), 3),
        ARG,
        "prefix='': a tag prefix must be a non-empty string, e.g. 'prod'",
    ),
    (
        "keep_tagged_images refuses a bool for the count",
        lambda: lc.keep_tagged_images("prod", True),
        ARG,
        f"count=True: {IMAGES}",
    ),
    (
        "keep_tagged_images refuses a negative count",
        lambda: lc.keep_tagged_images("prod", -5),
        ARG,
        f"count=-5: {IMAGES}",
    ),
    # the engine's standard rules (standard.py): the code the validator has always reported for their numbers
    ("expire_untagged refuses zero days", lambda: standard.expire_untagged(0), NUMBER, f"days=0: {DAYS}"),
    ("expire_untagged refuses a bool for days", lambda: standard.expire_untagged(True), NUMBER, f"days=True: {DAYS}"),
    (
        "expire_untagged refuses a string for days",
        lambda: standard.expire_untagged(unchecked("7")),
        NUMBER,
        f"days='7': {DAYS}",
    ),
    ("keep_last refuses a count of zero", lambda: standard.keep_last(0), NUMBER, f"count=0: {IMAGES}"),
    ("keep_last refuses a negative count", lambda: standard.keep_last(-1), NUMBER, f"count=-1: {IMAGES}"),
    ("keep_last refuses a bool for the count", lambda: standard.keep_last(False), NUMBER, f"count=False: {IMAGES}"),
    (
        "keep_last refuses a float for the count",
        lambda: standard.keep_last(unchecked(1.5)),
        NUMBER,
        f"count=1.5: {IMAGES}",
    ),
    ("archive_untagged refuses a bool for days", lambda: standard.archive_untagged(True), NUMBER, f"days=True: {DAYS}"),
    ("archive_untagged refuses zero days", lambda: standard.archive_untagged(0), NUMBER, f"days=0: {DAYS}"),
    (
        "archive_beyond refuses None for the count",
        lambda: standard.archive_beyond(unchecked(None)),
        NUMBER,
        f"count=None: {IMAGES}",
    ),
    ("archive_beyond refuses a count of zero", lambda: standard.archive_beyond(0), NUMBER, f"count=0: {IMAGES}"),
    # the archive rules (archive.py)
    ("archive_images_not_pulled_for_days refuses zero days", lambda: NOT_PULLED(0), ARG, f"days=0: {DAYS}"),
    ("archive_images_not_pulled_for_days refuses a bool for days", lambda: NOT_PULLED(True), ARG, f"days=True: {DAYS}"),
    (
        "archive_images_not_pulled_for_days refuses a string where the prefix list belongs, unsplit",
        lambda: NOT_PULLED(30, tag_prefixes="prod"),
        ARG,
        "tag_prefixes='prod': give a list of tag prefixes, e.g. tag_prefixes=['prod']",
    ),
    (
        "archive_images_not_pulled_for_days refuses a string where the pattern list belongs, unsplit",
        lambda: NOT_PULLED(30, tag_patterns="v*"),
        ARG,
        "tag_patterns='v*': give a list of tag patterns, e.g. tag_patterns=['prod']",
    ),
    (
        "archive_images_not_pulled_for_days refuses a number where the prefix list belongs",
        lambda: NOT_PULLED(30, tag_prefixes=123),
        ARG,
        "tag_prefixes=123: give a list of tag prefixes, e.g. tag_prefixes=['prod']",
    ),
    (
        "archive_images_not_pulled_for_days refuses an empty prefix list",
        lambda: NOT_PULLED(30, tag_prefixes=[]),
        ARG,
        "tag_prefixes=[]: give at least one tag prefix, e.g. tag_prefixes=['prod']",
    ),
    (
        "archive_images_not_pulled_for_days refuses a pattern with five wildcards",
        lambda: NOT_PULLED(30, tag_patterns=["*a*b*c*d*"]),
        WILDCARDS,
        "tag_patterns='*a*b*c*d*': has 5 '*' wildcards; ECR allows at most 4 per pattern: use four or fewer",
    ),
    (
        "archive_images_not_pulled_for_days refuses a tag status that is not one",
        lambda: NOT_PULLED(30, tag_status="some"),
        ARG,
        "tag_status='some': use TagStatus.TAGGED, TagStatus.UNTAGGED or TagStatus.ANY",
    ),
    (
        "archive_images_not_pulled_for_days refuses a number for the tag status",
        lambda: NOT_PULLED(30, tag_status=1),
        ARG,
        "tag_status=1: use TagStatus.TAGGED, TagStatus.UNTAGGED or TagStatus.ANY",
    ),
    (
        "archive_images_not_pulled_for_days refuses a bool for the rule_priority",
        lambda: NOT_PULLED(30, rule_priority=True),
        ARG,
        f"rule_priority=True: {PRIORITY}",
    ),
    (
        "archive_images_pushed_more_than_days_ago refuses a negative day count",
        lambda: PUSHED(-2),
        ARG,
        f"days=-2: {DAYS}",
    ),
    (
        "archive_images_pushed_more_than_days_ago refuses a prefix with a wildcard",
        lambda: PUSHED(30, tag_prefixes=["v*"]),
        ARG,
        "tag_prefixes='v*': a prefix cannot contain '*'; use tag_patterns for wildcard patterns",
    ),
    (
        "archive_images_pushed_more_than_days_ago refuses a blank prefix",
        lambda: PUSHED(30, tag_prefixes=["  "]),
        ARG,
        "tag_prefixes='  ': a tag prefix must be a non-empty string, e.g. 'prod'",
    ),
    (
        "archive_images_pushed_more_than_days_ago refuses both tag lists",
        lambda: PUSHED(30, tag_prefixes=["a"], tag_patterns=["b*"]),
        ARG,
        "tag_patterns=['b*']: give tag_prefixes or tag_patterns, not both",
    ),
    (
        "archive_images_pushed_more_than_days_ago refuses a tag list with tag_status UNTAGGED",
        lambda: PUSHED(30, tag_status=TagStatus.UNTAGGED, tag_prefixes=["p"]),
        ARG,
        "tag_status='untagged': tag lists need tag_status=TagStatus.TAGGED (the default when one is given)",
    ),
    (
        "archive_images_pushed_more_than_days_ago refuses tag_status TAGGED without a tag list",
        lambda: PUSHED(30, tag_status="tagged"),
        ARG,
        "tag_prefixes=None: tag_status=TAGGED needs a non-empty list of tag_prefixes or tag_patterns",
    ),
    (
        "archive_images_pushed_more_than_days_ago refuses a description that is not a string",
        lambda: PUSHED(30, description=5),
        ARG,
        "description=5: must be a string, or None for the default",
    ),
    (
        "delete_archived_images_after_days refuses fewer than ECR's 90 days",
        lambda: ARCHIVED(89),
        ARG,
        "days=89: must be a whole number of days >= 90, e.g. days=90",
    ),
    (
        "delete_archived_images_after_days refuses a string for days",
        lambda: ARCHIVED("120"),
        ARG,
        "days='120': must be a whole number of days >= 90, e.g. days=90",
    ),
    (
        "delete_archived_images_after_days refuses a set of patterns",
        lambda: ARCHIVED(120, tag_patterns={"v*"}),
        ARG,
        "tag_patterns={'v*'}: give a list of tag patterns, e.g. tag_patterns=['prod']",
    ),
    (
        "delete_archived_images_after_days refuses a rule_priority of zero",
        lambda: ARCHIVED(120, rule_priority=0),
        ARG,
        f"rule_priority=0: {PRIORITY}",
    ),
]


@pytest.mark.parametrize(("call", "code", "message"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_fails_naming_the_code_the_argument_the_value_and_the_fix(
    call: Callable[[], object], code: str, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        call()
    assert raised.value.codes == [code]
    assert str(raised.value) == f"[{code}] {message}"


def test_every_public_builder_with_arguments_is_covered() -> None:
    builders = {
        "delete_untagged_after_days",
        "keep_last_n_images",
        "delete_tagged_after_days",
        "delete_tagged_matching_after_days",
        "keep_tagged_images",
        "expire_untagged",
        "keep_last",
        "archive_untagged",
        "archive_beyond",
        "archive_images_not_pulled_for_days",
        "archive_images_pushed_more_than_days_ago",
        "delete_archived_images_after_days",
    }
    assert {c[0].split()[0] for c in CASES} == builders


def test_fails_with_every_bad_argument_at_once() -> None:
    with pytest.raises(ValidationError) as raised:
        lc.delete_tagged_after_days(123, 0, rule_priority=True)
    assert [v.field for v in raised.value.violations] == ["prefix", "days", "rule_priority"]
    assert raised.value.codes == [ARG, ARG, ARG]


@pytest.mark.parametrize("value", [0, -1, True, False, 1.5, 3.0, "3", None, [3], 1, 30])
def test_a_number_fails_in_a_builder_exactly_when_the_validator_refuses_it_as_a_count_number(value: Any) -> None:
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": value},
                "action": {"type": "expire"},
            }
        ]
    }
    refused = any(v.code == NUMBER for v in lc.lifecycle_policy_violations(policy))
    builders: list[Callable[[Any], object]] = [standard.keep_last, lc.keep_last_n_images, NOT_PULLED]
    for builder in builders:
        try:
            builder(value)
        except ValidationError:
            failed = True
        else:
            failed = False
        assert failed == refused, builder.__name__


def test_a_tag_status_may_be_given_as_its_value_as_a_catalog_gives_it() -> None:
    assert NOT_PULLED(30, tag_status="untagged") == NOT_PULLED(30, tag_status=TagStatus.UNTAGGED)
    assert PUSHED(30, tag_status="tagged", tag_prefixes=["v"]).selection.tag_status is TagStatus.TAGGED


def test_a_tuple_of_prefixes_is_a_list_of_them() -> None:
    assert lc.delete_tagged_after_days(("dev", "feature"), 3).tag_prefix_list == ["dev", "feature"]
    assert NOT_PULLED(30, tag_prefixes=("release",)).selection.tag_prefix_list == ("release",)


def test_a_number_token_is_accepted_as_the_rule_priority_of_a_cdk_helper() -> None:
    token = cdk.Token.as_number({"Ref": "Priority"})
    assert lc.keep_last_n_images(5, rule_priority=token).rule_priority == token
