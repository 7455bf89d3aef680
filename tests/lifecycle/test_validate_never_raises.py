"""lifecycle_policy_violations never raises, whatever JSON a policy holds: a bad value is a violation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_patterns.lifecycle import lifecycle_policy_violations

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 200) | st.floats(allow_nan=False) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
FIELD_VALUES = {
    "tagStatus": st.sampled_from(["tagged", "untagged", "any"]) | JSON,
    "tagPrefixList": st.lists(st.text(max_size=3) | JSON, max_size=3) | JSON,
    "tagPatternList": st.lists(st.text(alphabet="a*", max_size=6) | JSON, max_size=3) | JSON,
    "storageClass": st.sampled_from(["standard", "archive"]) | JSON,
    "countType": st.sampled_from(["imageCountMoreThan", "sinceImagePushed", "sinceImagePulled"]) | JSON,
    "countUnit": st.just("days") | JSON,
    "countNumber": st.integers(-1, 120) | JSON,
}
SELECTION = st.fixed_dictionaries({}, optional=FIELD_VALUES)
ACTION = st.fixed_dictionaries(
    {}, optional={"type": st.sampled_from(["expire", "transition"]) | JSON, "targetStorageClass": JSON}
)
RULE = st.fixed_dictionaries(
    {"selection": SELECTION | JSON},
    optional={"rulePriority": st.integers(-1, 4) | JSON, "action": ACTION | JSON, "description": JSON},
)


def r(priority: int, **selection: Any) -> dict[str, Any]:
    return {"rulePriority": priority, "selection": selection, "action": {"type": "expire"}}


@pytest.mark.parametrize("tags", [["a", 1], ["a", None], [["a"], "b"], [{"a": 1}, "b"], [[]]])
def test_a_tag_list_of_values_that_cannot_be_ordered_is_a_violation_not_an_exception(tags: list[Any]) -> None:
    # GIVEN two tagged rules of one storage class, one with a tag list of mixed types
    policy = {
        "rules": [
            r(1, tagStatus="tagged", tagPrefixList=tags, countType="imageCountMoreThan", countNumber=3),
            r(2, tagStatus="tagged", tagPrefixList=["b"], countType="imageCountMoreThan", countNumber=3),
        ]
    }
    # WHEN it is validated THEN the list is reported (it used to raise TypeError from sorting the tags)
    problems = [(v.code, v.field, v.value) for v in lifecycle_policy_violations(policy) if v.code != "lifecycle.null"]
    assert problems == [("lifecycle.tag-list", "tagPrefixList", tags)]


@settings(max_examples=300, deadline=None)
@given(st.lists(RULE, min_size=1, max_size=4))
def test_never_raises_whatever_json_the_rules_hold(rules: list[dict[str, Any]]) -> None:
    violations = lifecycle_policy_violations({"rules": rules})
    assert all(v.code.startswith("lifecycle.") for v in violations)
