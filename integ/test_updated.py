"""Step ``updated``: the lifecycle app redeployed with one rule and the scan setting changed."""

from __future__ import annotations

from typing import Any

import pytest

from integ.conftest import Update
from integ.deployment import Deployment
from integ.state import deployed_state, synthesized_state, without_extra_tags

pytestmark = pytest.mark.stage("updated")


def test_update_changes_the_rule_and_the_scan_setting_in_place(
    updated: Update, deployment: Deployment, ecr: Any, pseudo: dict[str, str]
) -> None:
    name = deployment.repository_name("lifecycle")
    state = deployed_state(ecr, name)
    untagged = [r for r in (state.lifecycle_policy or {})["rules"] if r["selection"]["tagStatus"] == "untagged"]
    assert untagged[0]["selection"]["countNumber"] == 5
    assert state.scan_on_push is False
    expected = synthesized_state(deployment.assembly("lifecycle").repository(name), pseudo)
    assert without_extra_tags(state, expected) == expected


def test_update_keeps_the_repository_instead_of_replacing_it(updated: Update, deployment: Deployment, ecr: Any) -> None:
    name = deployment.repository_name("lifecycle")
    created = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["createdAt"]
    assert created == updated.created_before
