"""The registry-level app: replication, scanning and registry policy, read back through the ECR API
after the deploy, and back to the registry's defaults after the destroy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from integ.deployment import REGISTRY_APP, Deployment
from integ.emulator.patches import _api_shape
from integ.policies import canonical_policy, resolve


def _resource(deployment: Deployment, resource_type: str, pseudo: dict[str, str]) -> dict[str, Any]:
    for _, template in deployment.assembly(REGISTRY_APP).templates():
        for resource in template["Resources"].values():
            if resource["Type"] == resource_type:
                properties: dict[str, Any] = resolve(resource["Properties"], pseudo)
                return properties
    raise KeyError(resource_type)


@pytest.fixture
def registry_deployed(deployment: Deployment) -> Deployment:
    if REGISTRY_APP not in deployment.apps:
        pytest.skip("registry-level settings are deployed to a sandbox account only with ECR_PATTERNS_INTEG_REGISTRY=1")
    return deployment


@pytest.mark.stage("deployed")
def test_replication_configuration_is_live(registry_deployed: Deployment, ecr: Any, pseudo: dict[str, str]) -> None:
    expected = _resource(registry_deployed, "AWS::ECR::ReplicationConfiguration", pseudo)["ReplicationConfiguration"]
    live = ecr.describe_registry()["replicationConfiguration"]
    assert live == _api_shape(expected)
    assert live["rules"][0]["destinations"] == [{"region": "us-west-2", "registryId": pseudo["AWS::AccountId"]}]


@pytest.mark.stage("deployed")
def test_registry_scanning_is_live(registry_deployed: Deployment, ecr: Any, pseudo: dict[str, str]) -> None:
    expected = _resource(registry_deployed, "AWS::ECR::RegistryScanningConfiguration", pseudo)
    live = ecr.get_registry_scanning_configuration()["scanningConfiguration"]
    assert live == {"scanType": expected["ScanType"], "rules": _api_shape(expected["Rules"])}
    assert live["rules"][0]["scanFrequency"] == "SCAN_ON_PUSH"


@pytest.mark.stage("deployed")
def test_registry_policy_is_live(registry_deployed: Deployment, ecr: Any, pseudo: dict[str, str]) -> None:
    expected = _resource(registry_deployed, "AWS::ECR::RegistryPolicy", pseudo)["PolicyText"]
    live = json.loads(ecr.get_registry_policy()["policyText"])
    assert canonical_policy(live) == canonical_policy(expected)


@pytest.mark.stage("destroyed")
def test_destroy_puts_the_registry_defaults_back(
    destroyed: list[str], registry_deployed: Deployment, ecr: Any, target: Any
) -> None:
    assert ecr.describe_registry()["replicationConfiguration"] == {"rules": []}
    assert ecr.get_registry_scanning_configuration()["scanningConfiguration"]["rules"] == []
    with pytest.raises(ecr.exceptions.RegistryPolicyNotFoundException):
        ecr.get_registry_policy()
