# mypy: disable-error-code="arg-type,list-item"
# Bad input on purpose: these tests pass what the builders' types refuse, to prove the runtime checks.
"""The lifecycle helpers: the rules they render, on our repository and on a plain one, and their errors."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Template
from hypothesis import given
from hypothesis import strategies as st

from ecr_patterns import ValidationError
from ecr_patterns import lifecycle as lc
from ecr_patterns.constructs.lifecycle.rules import to_policy_rule
from ecr_patterns.core.lifecycle import standard
from ecr_patterns.core.lifecycle.model import CountType, TagStatus


def plain_policy(stack: cdk.Stack, rules: list[ecr.LifecycleRule]) -> list[dict[str, Any]]:
    ecr.Repository(stack, "Plain", lifecycle_rules=rules)
    (repo,) = Template.from_stack(stack).find_resources("AWS::ECR::Repository").values()
    rendered: list[dict[str, Any]] = json.loads(repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    return rendered


def test_helpers_work_on_a_plain_repository(stack: cdk.Stack) -> None:
    rules = plain_policy(
        stack,
        [
            lc.keep_tagged_images("prod", 9999),
            lc.delete_tagged_after_days(["dev", "feature"], 30),
            lc.delete_tagged_matching_after_days("*-rc*", 7),
            lc.delete_untagged_after_days(1),
            lc.keep_last_n_images(100),
        ],
    )
    assert [r["selection"] for r in rules] == [
        {"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan", "countNumber": 9999},
        {
            "tagStatus": "tagged",
            "tagPrefixList": ["dev", "feature"],
            "countType": "sinceImagePushed",
            "countNumber": 30,
            "countUnit": "days",
        },
        {
            "tagStatus": "tagged",
            "tagPatternList": ["*-rc*"],
            "countType": "sinceImagePushed",
            "countNumber": 7,
            "countUnit": "days",
        },
        {"tagStatus": "untagged", "countType": "sinceImagePushed", "countNumber": 1, "countUnit": "days"},
        {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
    ]
    assert [r["rulePriority"] for r in rules] == [1, 2, 3, 4, 5]


def test_standard_rule_sets() -> None:
    dev = [to_policy_rule(r).selection for r in lc.standard_dev_lifecycle_rules()]
    prod = [to_policy_rule(r).selection for r in lc.standard_prod_lifecycle_rules()]
    assert [(s.tag_status, s.count_type, s.count_number) for s in dev] == [
        (TagStatus.UNTAGGED, CountType.SINCE_IMAGE_PUSHED, 7),
        (TagStatus.ANY, CountType.IMAGE_COUNT_MORE_THAN, 10),
    ]
    assert [(s.tag_status, s.count_type, s.count_number) for s in prod] == [
        (TagStatus.UNTAGGED, CountType.SINCE_IMAGE_PUSHED, 14),
        (TagStatus.ANY, CountType.IMAGE_COUNT_MORE_THAN, 30),
    ]


def test_cdk_helpers_and_engine_rules_agree_on_the_expiring_standard_policies() -> None:
    assert [to_policy_rule(r) for r in lc.standard_dev_lifecycle_rules()] == standard.dev_policy_rules()
    assert [to_policy_rule(r) for r in lc.default_lifecycle_rules()] == standard.default_policy_rules()


def test_standard_prod_lifecycle_rules_keep_their_documented_expire_policy() -> None:
    # The helper stays as documented (untagged 14 days, keep the last 30, both expire) for plain
    # repositories; ProdRepository's own default archives instead (test_presets.py).
    rules = [to_policy_rule(r) for r in lc.standard_prod_lifecycle_rules()]
    assert [(r.selection.tag_status.value, r.selection.count_number, r.action.type.value) for r in rules] == [
        ("untagged", 14, "expire"),
        ("any", 30, "expire"),
    ]


def test_the_prod_engine_policy_archives_and_never_expires() -> None:
    rules = lc.prod_policy_rules()
    assert {r.action.type.value for r in rules} == {"transition"}
    assert {r.action.target_storage_class.value for r in rules if r.action.target_storage_class} == {"archive"}
    lc.validate_lifecycle_policy(lc.LifecyclePolicy.from_rules(rules).to_json())


@pytest.mark.parametrize("age", [cdk.Duration.hours(36), cdk.Duration.minutes(90), cdk.Duration.hours(12)])
def test_fails_with_a_validation_error_when_max_image_age_is_not_whole_days(age: cdk.Duration) -> None:
    with pytest.raises(ValidationError, match=r"max_image_age=.*whole days") as raised:
        to_policy_rule(ecr.LifecycleRule(max_image_age=age))
    assert raised.value.codes == ["lifecycle.duration"]


def test_a_whole_number_of_days_given_in_hours_is_accepted() -> None:
    assert to_policy_rule(ecr.LifecycleRule(max_image_age=cdk.Duration.hours(48))).selection.count_number == 2


def test_to_policy_rule_infers_tag_status_like_aws_cdk_lib() -> None:
    assert to_policy_rule(ecr.LifecycleRule(max_image_count=3)).selection.tag_status is TagStatus.ANY
    tagged = to_policy_rule(ecr.LifecycleRule(tag_prefix_list=["v"], max_image_count=3))
    assert tagged.selection.tag_status is TagStatus.TAGGED
    aged = to_policy_rule(ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(3)))
    assert (aged.selection.count_type, aged.selection.count_unit, aged.selection.count_number) == (
        CountType.SINCE_IMAGE_PUSHED,
        "days",
        3,
    )


def test_fails_when_a_rule_has_both_age_and_count() -> None:
    with pytest.raises(ValidationError, match="exactly one of max_image_age and max_image_count"):
        to_policy_rule(ecr.LifecycleRule(max_image_count=3, max_image_age=cdk.Duration.days(1)))


@pytest.mark.parametrize("bad", [0, -1, 1.5, "7", True, None])
def test_fails_when_days_is_not_a_whole_number_of_at_least_one(bad: object) -> None:
    with pytest.raises(ValidationError, match=r"days=.*whole number of days >= 1"):
        lc.delete_untagged_after_days(bad)


@pytest.mark.parametrize("bad", [0, -5, 2.0, False])
def test_fails_when_count_is_not_a_whole_number_of_at_least_one(bad: object) -> None:
    with pytest.raises(ValidationError, match=r"count=.*whole number of images >= 1"):
        lc.keep_last_n_images(bad)
    with pytest.raises(ValidationError, match=r"count="):
        lc.keep_tagged_images("prod", bad)


@pytest.mark.parametrize("bad", ["", "  ", []])
def test_fails_when_a_prefix_is_empty(bad: object) -> None:
    with pytest.raises(ValidationError, match="prefix"):
        lc.delete_tagged_after_days(bad, 3)


def test_fails_when_a_prefix_has_a_wildcard_and_points_to_the_pattern_helper() -> None:
    with pytest.raises(ValidationError, match="delete_tagged_matching_after_days"):
        lc.delete_tagged_after_days("v*", 3)


def test_fails_when_a_pattern_has_more_than_four_wildcards() -> None:
    lc.delete_tagged_matching_after_days("*a*b*c*", 3)  # four is allowed
    with pytest.raises(ValidationError, match=r"pattern='\*a\*b\*c\*d\*'.*at most 4"):
        lc.delete_tagged_matching_after_days("*a*b*c*d*", 3)


@given(days=st.integers(min_value=1, max_value=100_000))
def test_any_positive_day_count_renders_as_that_many_days(days: int) -> None:
    rule = to_policy_rule(lc.delete_untagged_after_days(days))
    assert rule.selection.count_number == days
    assert rule.selection.count_unit == "days"
