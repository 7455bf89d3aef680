"""The registry-level app: replication, scanning and registry policy, read back through the ECR API
after the deploy, and back to the registry's defaults after the destroy."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from integ.apps import registry
from integ.deployment import REGISTRY_APP, Deployment
from integ.emulator.patches import _api_shape
from integ.images import Image, push_image
from integ.policies import canonical_policy, resolve
from integ.state import repository_exists
from integ.target import EMULATOR, PULLER_VARIABLE


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


def _registry_key_id(deployment: Deployment, target: Any) -> str:
    (stack,) = deployment.assembly(REGISTRY_APP).stack_names()
    resources = target.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    (key,) = [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == "AWS::KMS::Key"]
    return str(key)


@pytest.mark.stage("deployed")
def test_the_registry_key_is_live_rotating_with_its_policy_and_encrypts_the_repository(
    registry_deployed: Deployment, ecr: Any, target: Any, pseudo: dict[str, str]
) -> None:
    kms = target.client("kms")
    key_id = _registry_key_id(registry_deployed, target)
    metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert (metadata["KeyManager"], metadata["KeyState"]) == ("CUSTOMER", "Enabled")
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    expected = _resource(registry_deployed, "AWS::KMS::Key", pseudo)["KeyPolicy"]
    live = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert canonical_policy(live) == canonical_policy(expected)
    name = registry_deployed.repository_name(registry.KEYED_REPOSITORY)
    (repository,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    assert repository["encryptionConfiguration"] == {"encryptionType": "KMS", "kmsKey": metadata["Arn"]}


@pytest.mark.stage("destroyed")
def test_the_stack_delete_keeps_the_registry_key_and_removes_its_repository(
    destroyed: list[str], registry_deployed: Deployment, ecr: Any, target: Any
) -> None:
    kms = target.client("kms")
    run = registry_deployed.repository_name(registry.KEYED_REPOSITORY)
    keys = [k["KeyId"] for page in kms.get_paginator("list_keys").paginate() for k in page["Keys"]]
    ours = [
        k
        for k in keys
        if {"TagKey": registry.KEY_TAG, "TagValue": run} in kms.list_resource_tags(KeyId=k).get("Tags", [])
    ]
    assert len(ours) == 1, "the RETAIN key must survive the stack delete"
    for key_id in ours:
        assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"
        # Cleanup for a sandbox account: the shortest deletion window KMS allows.
        kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
    assert not repository_exists(ecr, run)


def _pull(ecr: Any, name: str, tag: str, *, download: bool) -> list[str]:
    """Pull as a client does: the manifest, the blobs' availability and (``download``: moto does not implement
    GetDownloadUrlForLayer) a download URL for each blob; returns the blob digests."""
    (image,) = ecr.batch_get_image(repositoryName=name, imageIds=[{"imageTag": tag}])["images"]
    manifest = json.loads(image["imageManifest"])
    digests = [manifest["config"]["digest"], *(layer["digest"] for layer in manifest["layers"])]
    layers = ecr.batch_check_layer_availability(repositoryName=name, layerDigests=digests)["layers"]
    assert {layer["layerAvailability"] for layer in layers} == {"AVAILABLE"}
    for digest in digests if download else []:
        assert ecr.get_download_url_for_layer(repositoryName=name, layerDigest=digest)["downloadUrl"]
    return digests


@pytest.mark.stage("deployed")
def test_an_image_pushed_to_the_keyed_repository_is_pulled_back(
    registry_deployed: Deployment, ecr: Any, target: Any
) -> None:
    # In sandbox mode ECR encrypts with the RegistryKey on push and decrypts on pull (User Guide, "Encryption at
    # rest"); the emulator does not encrypt, so there it shows the calls only.
    name = registry_deployed.repository_name(registry.KEYED_REPOSITORY)
    image = Image.build("registry key")
    push_image(ecr, name, "v1", image)
    assert len(_pull(ecr, name, "v1", download=target.mode != EMULATOR)) == 2


@pytest.mark.stage("deployed")
def test_another_account_pulls_through_the_registry_key(registry_deployed: Deployment, target: Any) -> None:
    if target.puller_role_arn is None:
        pytest.skip(f"sandbox mode with {PULLER_VARIABLE} (a role in another account) only")
    credentials = target.client("sts").assume_role(RoleArn=target.puller_role_arn, RoleSessionName="ecr-patterns")[
        "Credentials"
    ]
    puller = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=target.region,
    ).client("ecr")
    name = registry_deployed.repository_name(registry.KEYED_REPOSITORY)
    owner = target.client("ecr")
    push_image(owner, name, "cross-account", Image.build("pulled from another account"))
    (repository,) = owner.describe_repositories(repositoryNames=[name])["repositories"]
    image = puller.batch_get_image(
        registryId=repository["registryId"], repositoryName=name, imageIds=[{"imageTag": "cross-account"}]
    )["images"]
    assert image
