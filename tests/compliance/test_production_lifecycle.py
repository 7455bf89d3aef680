"""EcrPatterns-ProductionLifecycle: a production repository's policy expires no tagged image (template and live)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecr_patterns.core.compliance.model import RuleContext, Status
from ecr_patterns.core.compliance.rules import production_lifecycle
from ecr_patterns.core.settings import RepositorySettings


def _policy(*rules: dict[str, Any]) -> str:
    return json.dumps({"rules": [{"rulePriority": i + 1, **r} for i, r in enumerate(rules)]})


KEEP_30 = {"selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30}, "action": {}}
OLD_TAGGED = {
    "selection": {
        "tagStatus": "tagged",
        "tagPrefixList": ["v"],
        "countType": "sinceImagePushed",
        "countUnit": "days",
        "countNumber": 90,
    },
    "action": {"type": "expire"},
}
UNTAGGED = {
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
    "action": {"type": "expire"},
}
ARCHIVE = {
    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
    "action": {"type": "transition", "targetStorageClass": "archive"},
}


@pytest.mark.parametrize(
    ("rules", "status"),
    [
        ((UNTAGGED, KEEP_30), Status.NON_COMPLIANT),  # an absent action type is expire (User Guide)
        ((OLD_TAGGED,), Status.NON_COMPLIANT),
        ((UNTAGGED, ARCHIVE), Status.COMPLIANT),
    ],
)
def test_a_production_policy_is_judged_alike_in_a_template_and_live(rules: Any, status: Status) -> None:
    text = _policy(*rules)
    template = RepositorySettings.from_template(
        {
            "Type": "AWS::ECR::Repository",
            "Properties": {
                "LifecyclePolicy": {"LifecyclePolicyText": text},
                "Tags": [{"Key": "environment", "Value": "production"}],
            },
        }
    )
    live = RepositorySettings.from_live(
        {"repositoryName": "r"},
        lifecycle_policy=text,
        repository_policy=None,
        tags=[{"Key": "environment", "Value": "production"}],
    )
    ctx = RuleContext("r", {})
    assert production_lifecycle.check(template, ctx).status is status
    assert production_lifecycle.check(live, ctx).status is status


def test_a_repository_that_is_not_production_is_not_applicable() -> None:
    settings = RepositorySettings(source="template", lifecycle_policy=_policy(KEEP_30))
    assert production_lifecycle.check(settings, RuleContext("r", {})).status is Status.NOT_APPLICABLE
