"""Step ``deployed``: every app's repositories, read back through the ECR API, are what was synthesized."""

from __future__ import annotations

from typing import Any

import pytest

from integ.deployment import APPS, Deployment
from integ.state import deployed_state, synthesized_state, without_extra_tags

pytestmark = pytest.mark.stage("deployed")


def _all_repositories() -> list[tuple[str, str]]:
    from integ.apps import catalog, encryption, grants, lifecycle, plain, presets, secure_defaults

    return [
        ("plain", plain.REPOSITORY),
        ("secure_defaults", secure_defaults.REPOSITORY),
        ("presets", presets.DEV_REPOSITORY),
        ("presets", presets.PROD_REPOSITORY),
        ("grants", grants.REPOSITORY),
        ("lifecycle", lifecycle.REPOSITORY),
        ("encryption", encryption.REPOSITORY),
        *(("catalog", base) for base in catalog.REPOSITORIES),
    ]


def test_every_app_is_covered_by_a_repository_check() -> None:
    # The registry app: test_registry.py; the verdicts app (its own prefix): test_verdicts.py.
    assert sorted({app for app, _ in _all_repositories()} | {"verdicts"}) == sorted(APPS)


@pytest.mark.parametrize(("app", "base"), _all_repositories(), ids=lambda value: str(value))
def test_deployed_repository_matches_its_synthesized_template(
    deployment: Deployment, ecr: Any, pseudo: dict[str, str], app: str, base: str
) -> None:
    name = deployment.repository_name(base)
    expected = synthesized_state(deployment.assembly(app).repository(name), pseudo)
    assert without_extra_tags(deployed_state(ecr, name), expected) == expected


def test_secure_defaults_are_live_on_the_repository(deployment: Deployment, ecr: Any) -> None:
    state = deployed_state(ecr, deployment.repository_name("secure-defaults"))
    assert state.scan_on_push is True
    assert state.tag_mutability == "IMMUTABLE"
    assert state.encryption_type == "KMS"
    assert state.lifecycle_policy is not None
    selections = [rule["selection"] for rule in state.lifecycle_policy["rules"]]
    assert {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14} in [
        {k: s.get(k) for k in ("tagStatus", "countType", "countUnit", "countNumber")} for s in selections
    ]


def test_dev_preset_has_mutable_tags_and_prod_preset_immutable(deployment: Deployment, ecr: Any) -> None:
    dev = deployed_state(ecr, deployment.repository_name("dev"))
    prod = deployed_state(ecr, deployment.repository_name("prod"))
    assert (dev.tag_mutability, prod.tag_mutability) == ("MUTABLE", "IMMUTABLE")
    assert dev.lifecycle_policy is not None
    assert prod.lifecycle_policy is not None


def test_grants_are_a_live_repository_policy(deployment: Deployment, ecr: Any, target: Any) -> None:
    from integ.apps import grants

    policy = deployed_state(ecr, deployment.repository_name(grants.REPOSITORY)).repository_policy
    assert policy is not None
    statements = policy["Statement"]
    principals = [s.get("Principal") for s in statements]
    assert {"AWS": [f"arn:aws:iam::{target.account}:root"]} in principals
    assert {"Service": ["lambda.amazonaws.com"]} in principals
    org = [s for s in statements if "aws:PrincipalOrgID" in str(s.get("Condition"))]
    assert org
    assert org[0]["Condition"]["StringEquals"]["aws:PrincipalOrgID"] == [grants.ORGANIZATION]
    for statement in statements:
        assert all(action.startswith("ecr:") for action in statement["Action"])
        assert not any(a in statement["Action"] for a in ("ecr:PutImage", "ecr:*"))


def test_lifecycle_rules_are_live_in_priority_order(deployment: Deployment, ecr: Any) -> None:
    state = deployed_state(ecr, deployment.repository_name("lifecycle"))
    assert state.lifecycle_policy is not None
    priorities = [rule["rulePriority"] for rule in state.lifecycle_policy["rules"]]
    assert priorities == sorted(priorities)
    assert len(set(priorities)) == 4
    untagged = [r for r in state.lifecycle_policy["rules"] if r["selection"]["tagStatus"] == "untagged"]
    assert untagged[0]["selection"]["countNumber"] == 3
    assert state.scan_on_push is True


def test_every_repository_carries_the_stack_tag(deployment: Deployment, ecr: Any) -> None:
    from integ.apps import common

    for app in deployment.apps:
        for name in deployment.assembly(app).repositories():
            assert common.TAG_KEY in deployed_state(ecr, name).tags, name


def test_the_catalog_is_deployed_as_one_stack_per_shard(deployment: Deployment, target: Any) -> None:
    from integ.apps import catalog, common

    stacks = deployment.assembly("catalog").stack_names()
    prefix = common.stack_name(catalog.APP, target.suffix)
    assert sorted(stacks) == [f"{prefix}-alpha", f"{prefix}-beta"]
    cloudformation = target.client("cloudformation")
    for stack in stacks:
        resources = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
        names = {r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::ECR::Repository"}
        assert names, stack
    alpha = deployed_state(target.client("ecr"), deployment.repository_name("catalog-alpha-api"))
    beta = deployed_state(target.client("ecr"), deployment.repository_name("catalog-beta-web"))
    assert (alpha.tag_mutability, beta.tag_mutability) == ("IMMUTABLE", "MUTABLE")
    assert alpha.repository_policy is not None
    assert beta.lifecycle_policy is not None
    assert [r["selection"]["countNumber"] for r in beta.lifecycle_policy["rules"]] == [3, 5]
