"""validate_lifecycle_policy: each ECR constraint, accepted and refused."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecr_patterns import ValidationError
from ecr_patterns.core.lifecycle.model import MAX_POLICY_TEXT_LENGTH
from ecr_patterns.lifecycle import (
    LifecyclePolicy,
    archive_images_not_pulled_for_days,
    delete_archived_images_after_days,
    lifecycle_policy_violations,
    validate_lifecycle_policy,
)


def r(priority: Any, selection: dict[str, Any], action: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"rulePriority": priority, "selection": selection, "action": action or {"type": "expire"}}


UNTAGGED_14 = {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14}
ANY_10 = {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10}
PROD_5 = {"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan", "countNumber": 5}
PULLED_30 = {
    "tagStatus": "any",
    "storageClass": "standard",
    "countType": "sinceImagePulled",
    "countUnit": "days",
    "countNumber": 30,
}
TRANSITIONED_90 = {
    "tagStatus": "any",
    "storageClass": "archive",
    "countType": "sinceImageTransitioned",
    "countUnit": "days",
    "countNumber": 90,
}
ARCHIVE = {"type": "transition", "targetStorageClass": "archive"}

VALID = {"rules": [r(1, PROD_5), r(2, UNTAGGED_14), r(3, ANY_10)]}


def fields(policy: Any) -> list[str]:
    return [v.field for v in lifecycle_policy_violations(policy)]


def test_a_valid_policy_passes_and_is_returned_as_a_model() -> None:
    model = validate_lifecycle_policy(VALID)
    assert isinstance(model, LifecyclePolicy)
    assert model.to_json() == VALID


def test_policy_text_is_accepted_too() -> None:
    assert validate_lifecycle_policy(json.dumps(VALID)).to_json() == VALID


def test_archive_rules_pass() -> None:
    release = {**PULLED_30, "tagStatus": "tagged", "tagPrefixList": ["release"]}
    policy = {"rules": [r(1, PROD_5), r(2, release, ARCHIVE), r(3, ANY_10), r(4, TRANSITIONED_90)]}
    assert fields(policy) == []


def test_fails_when_two_any_rules_select_one_storage_class() -> None:
    policy = {"rules": [r(1, PULLED_30, ARCHIVE), r(2, ANY_10)]}
    assert "tagStatus" in fields(policy)


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        ({"rules": []}, "rules"),
        ({}, "rules"),
        ("not json", "policy"),
        ({"rules": [r(0, ANY_10)]}, "rulePriority"),
        ({"rules": [r(1.5, ANY_10)]}, "rulePriority"),
        ({"rules": [r(1, PROD_5), r(1, ANY_10)]}, "rulePriority"),
        ({"rules": [r(1, {**ANY_10, "tagStatus": "some"})]}, "tagStatus"),
        ({"rules": [r(1, {k: v for k, v in PROD_5.items() if k != "tagPrefixList"})]}, "tagStatus"),
        ({"rules": [r(1, {**PROD_5, "tagPrefixList": []})]}, "tagPrefixList"),
        ({"rules": [r(1, {**PROD_5, "tagPrefixList": [""]})]}, "tagPrefixList"),
        ({"rules": [r(1, {**PROD_5, "tagPatternList": ["prod*"]})]}, "tagPatternList"),
        ({"rules": [r(1, {**UNTAGGED_14, "tagPrefixList": ["x"]})]}, "tagPrefixList"),
        ({"rules": [r(1, {**ANY_10, "tagPatternList": ["x*"]})]}, "tagPatternList"),
        ({"rules": [r(1, {**PROD_5, "tagPrefixList": None, "tagPatternList": ["*a*b*c*d*"]})]}, "tagPatternList"),
        ({"rules": [r(1, ANY_10), r(2, PROD_5)]}, "rulePriority"),
        ({"rules": [r(1, UNTAGGED_14), r(2, {**UNTAGGED_14, "countNumber": 3}), r(3, ANY_10)]}, "tagStatus"),
        ({"rules": [r(1, PROD_5), r(2, {**PROD_5, "countNumber": 9})]}, "tagPrefixList"),
        ({"rules": [r(1, {k: v for k, v in UNTAGGED_14.items() if k != "countUnit"})]}, "countUnit"),
        ({"rules": [r(1, {**ANY_10, "countUnit": "days"})]}, "countUnit"),
        ({"rules": [r(1, {**UNTAGGED_14, "countUnit": "hours"})]}, "countUnit"),
        ({"rules": [r(1, {**ANY_10, "countNumber": 0})]}, "countNumber"),
        ({"rules": [r(1, {**ANY_10, "countNumber": "10"})]}, "countNumber"),
        ({"rules": [r(1, {**ANY_10, "countType": "sinceForever"})]}, "countType"),
        ({"rules": [r(1, {**ANY_10, "storageClass": "archive"})]}, "storageClass"),
        ({"rules": [r(1, {**TRANSITIONED_90, "storageClass": "standard"})]}, "storageClass"),
        ({"rules": [r(1, {k: v for k, v in TRANSITIONED_90.items() if k != "storageClass"})]}, "storageClass"),
        ({"rules": [r(1, PULLED_30)]}, "action.type"),
        ({"rules": [r(1, TRANSITIONED_90, ARCHIVE)]}, "action.type"),
        ({"rules": [r(1, {**TRANSITIONED_90, "countNumber": 89})]}, "countNumber"),
        ({"rules": [r(1, PULLED_30, {"type": "transition"})]}, "action.targetStorageClass"),
        ({"rules": [r(1, ANY_10, {"type": "expire", "targetStorageClass": "archive"})]}, "action.targetStorageClass"),
        ({"rules": [r(1, ANY_10, {"type": "delete"})]}, "action.type"),
        ({"rules": [r(1, {**ANY_10, "countNumber": None})]}, "countNumber"),
        ({"rules": [{**r(1, ANY_10), "description": None}]}, "description"),
    ],
)
def test_fails_on_each_constraint(policy: Any, field: str) -> None:
    assert field in fields(policy)
    with pytest.raises(ValidationError):
        validate_lifecycle_policy(policy)


def test_any_rule_must_be_last_only_among_its_storage_class() -> None:
    policy = {"rules": [r(1, ANY_10), r(2, TRANSITIONED_90)]}
    assert fields(policy) == []


def test_fails_when_the_policy_text_is_too_long() -> None:
    many = {"rules": [r(i + 1, {**PROD_5, "tagPrefixList": [f"p{i}" + "x" * 200]}) for i in range(150)]}
    assert len(json.dumps(many, separators=(",", ":"))) > MAX_POLICY_TEXT_LENGTH
    assert "policy" in fields(many)


def test_every_violation_is_reported_with_its_rule() -> None:
    bad = {"rules": [r(1, {**ANY_10, "countNumber": 0}), r(1, {**UNTAGGED_14, "countUnit": None})]}
    with pytest.raises(ValidationError) as caught:
        validate_lifecycle_policy(bad)
    message = str(caught.value)
    assert "rule 1: countNumber=0" in message
    assert "JSON null" in message
    assert "share it" in message
    assert len(caught.value.violations) >= 4


@given(st.integers(min_value=-5, max_value=200))
def test_archived_expiry_is_accepted_from_90_days(days: int) -> None:
    policy = {"rules": [r(1, {**TRANSITIONED_90, "countNumber": days})]}
    assert (fields(policy) == []) == (days >= 90)


def test_archive_helpers_build_rules_the_validator_accepts() -> None:
    rules = [archive_images_not_pulled_for_days(30), delete_archived_images_after_days(120)]
    policy = LifecyclePolicy.from_rules(rules).to_json()
    assert fields(policy) == []
    assert policy["rules"][0]["action"] == ARCHIVE
    assert policy["rules"][1]["selection"]["storageClass"] == "archive"


def test_archive_helpers_check_their_arguments() -> None:
    with pytest.raises(ValidationError, match="days=89"):
        delete_archived_images_after_days(89)
    with pytest.raises(ValidationError, match="days=0"):
        archive_images_not_pulled_for_days(0)
    with pytest.raises(ValidationError, match="not both"):
        archive_images_not_pulled_for_days(30, tag_prefixes=["a"], tag_patterns=["b*"])
    with pytest.raises(ValidationError, match="four"):
        archive_images_not_pulled_for_days(30, tag_patterns=["*a*b*c*d*"])


def test_validation_does_not_change_its_input() -> None:
    policy = copy.deepcopy(VALID)
    validate_lifecycle_policy(policy)
    assert policy == VALID


def test_model_round_trips_policy_json() -> None:
    policy = {"rules": [r(1, PROD_5), r(2, PULLED_30, ARCHIVE), r(3, TRANSITIONED_90)]}
    assert LifecyclePolicy.from_json(policy).to_json() == policy
    assert LifecyclePolicy.from_json(LifecyclePolicy.from_json(policy).to_text()).to_json() == policy


def test_accepts_exactly_50_rules_and_refuses_51_the_quota_that_cannot_be_raised() -> None:
    def policy(count: int) -> dict[str, Any]:
        rules = [r(i + 1, {**PROD_5, "tagPrefixList": [f"p{i}"]}) for i in range(count - 1)]
        return {"rules": [*rules, r(count, ANY_10)]}

    assert lifecycle_policy_violations(policy(50)) == []
    (problem,) = lifecycle_policy_violations(policy(51))
    assert (problem.code, problem.value) == ("lifecycle.rule-count", "51 rules")


@pytest.mark.parametrize(
    ("policy", "field", "suggestion"),
    [
        ({**VALID, "version": 1}, "version", None),  # "version" is not in ECR's policy template
        ({"rules": [{**r(1, ANY_10), "name": "x"}]}, "name", None),
        ({"rules": [r(1, {**PROD_5, "tagPrefixlist": ["prod"]})]}, "selection.tagPrefixlist", "tagPrefixList"),
        ({"rules": [r(1, {**ANY_10, "countnumber": 3})]}, "selection.countnumber", "countNumber"),
        ({"rules": [r(1, ANY_10, {"type": "expire", "foo": 1})]}, "action.foo", None),
        (
            {"rules": [r(1, ANY_10, {"type": "transition", "targetStorageclass": "archive"})]},
            "action.targetStorageclass",
            "targetStorageClass",
        ),
    ],
)
def test_refuses_unknown_keys_at_every_level_naming_the_allowed_ones(
    policy: Any, field: str, suggestion: str | None
) -> None:
    found = [v for v in lifecycle_policy_violations(policy) if v.code == "lifecycle.unknown-key"]
    assert [v.field for v in found] == [field]
    assert "ECR allows only" in found[0].fix
    if suggestion:
        assert f"did you mean {suggestion!r}?" in found[0].fix


@pytest.mark.parametrize(
    "policy",
    [
        {
            "rules": [
                r(1, {**{k: v for k, v in PROD_5.items() if k != "tagPrefixList"}, "tagPatternList": ["*a*b*c*d"]})
            ]
        },
        {"rules": [r(1, {**TRANSITIONED_90, "countNumber": 90})]},  # archived 90 days: the minimum
        {"rules": [r(1, {**UNTAGGED_14, "countUnit": "days"})]},
        {"rules": [r(7, ANY_10)]},  # priorities need not start at 1 nor be sequential
        {"rules": [r(3, PROD_5), r(10, ANY_10)]},
        {"rules": [r(1, PROD_5), r(2, {**PROD_5, "tagPrefixList": ["prod", "v"]})]},  # different tag sets
        {"rules": [r(1, PULLED_30, ARCHIVE), r(2, TRANSITIONED_90)]},  # one any rule per storage class
        {"rules": [{**r(1, ANY_10), "description": "keep ten"}]},
    ],
)
def test_accepts_the_edge_of_each_constraint(policy: Any) -> None:
    assert lifecycle_policy_violations(policy) == []


# -- issue 24: the description's type, and the length of the text as it is sent ---------------------


@pytest.mark.parametrize("description", [5, True, ["keep"], {"text": "keep"}])
def test_a_description_that_is_not_a_string_is_refused_because_the_properties_page_says_type_string(
    description: Any,
) -> None:
    # "Lifecycle policy properties": "description ... Type: string".
    policy = {"rules": [{**r(1, ANY_10), "description": description}]}
    problems = lifecycle_policy_violations(policy)
    assert [(v.field, v.value, v.code.value) for v in problems] == [("description", description, "lifecycle.shape")]
    with pytest.raises(ValidationError, match="description"):
        validate_lifecycle_policy(policy)


def _accented_policy() -> dict[str, Any]:
    """Forty rules whose descriptions are mostly accented letters: about 5,400 characters of text, six times
    as many once each letter is escaped as ``\\u00e9``."""
    rules = [{**r(i + 1, {**PROD_5, "tagPrefixList": [f"p{i}"]}), "description": "é" * 120} for i in range(40)]
    return {"rules": [*rules, r(41, ANY_10)]}


def test_the_length_is_the_characters_of_the_policy_text_as_it_is_sent_not_of_ascii_escaped_json() -> None:
    # Quotas: the lifecycle policy text is at most 30,720 characters; an accented letter is one character.
    policy = _accented_policy()
    sent = json.dumps(policy, separators=(",", ":"), ensure_ascii=False)
    assert len(sent) < MAX_POLICY_TEXT_LENGTH < len(json.dumps(policy, separators=(",", ":")))
    assert lifecycle_policy_violations(policy) == []
    assert lifecycle_policy_violations(sent) == []
    model = validate_lifecycle_policy(policy)
    assert len(model.to_text()) == len(sent)  # what the constructs send is as long as what was measured
    assert lifecycle_policy_violations(model.to_text()) == []


def test_a_policy_text_longer_than_the_quota_in_characters_is_still_refused() -> None:
    rules = [{**r(i + 1, {**PROD_5, "tagPrefixList": [f"p{i}"]}), "description": "é" * 700} for i in range(45)]
    policy = {"rules": [*rules, r(46, ANY_10)]}
    assert len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False)) > MAX_POLICY_TEXT_LENGTH
    assert [v.code.value for v in lifecycle_policy_violations(policy)] == ["lifecycle.text-length"]
