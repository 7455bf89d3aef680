"""A repository's settings in one comparable form, read from a synthesized template or from the ECR API."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from integ.policies import canonical_policy, resolve


@dataclass(frozen=True)
class RepositoryState:
    scan_on_push: bool
    tag_mutability: str
    encryption_type: str
    lifecycle_policy: dict[str, Any] | None
    repository_policy: dict[str, Any] | None
    tags: dict[str, str]


def synthesized_state(properties: Mapping[str, Any], pseudo: Mapping[str, str]) -> RepositoryState:
    """What the template asks for, with CloudFormation's defaults for what it leaves out."""
    props = resolve(dict(properties), pseudo)
    lifecycle = (props.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
    policy = props.get("RepositoryPolicyText")
    return RepositoryState(
        scan_on_push=bool((props.get("ImageScanningConfiguration") or {}).get("ScanOnPush", False)),
        tag_mutability=str(props.get("ImageTagMutability", "MUTABLE")),
        encryption_type=str((props.get("EncryptionConfiguration") or {}).get("EncryptionType", "AES256")),
        lifecycle_policy=json.loads(lifecycle) if lifecycle else None,
        repository_policy=canonical_policy(policy) if policy else None,
        tags={t["Key"]: t["Value"] for t in props.get("Tags", [])},
    )


def repository_exists(ecr: Any, name: str) -> bool:
    """Whether the ECR API knows repository ``name``."""
    try:
        ecr.describe_repositories(repositoryNames=[name])
    except ecr.exceptions.RepositoryNotFoundException:
        return False
    return True


def deployed_state(ecr: Any, name: str) -> RepositoryState:
    """What the ECR API answers for repository ``name``."""
    repository = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    try:
        lifecycle: dict[str, Any] | None = json.loads(
            ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"]
        )
    except ecr.exceptions.LifecyclePolicyNotFoundException:
        lifecycle = None
    try:
        policy: dict[str, Any] | None = canonical_policy(ecr.get_repository_policy(repositoryName=name)["policyText"])
    except ecr.exceptions.RepositoryPolicyNotFoundException:
        policy = None
    tags = ecr.list_tags_for_resource(resourceArn=repository["repositoryArn"])["tags"]
    return RepositoryState(
        scan_on_push=bool(repository["imageScanningConfiguration"]["scanOnPush"]),
        tag_mutability=str(repository["imageTagMutability"]),
        encryption_type=str(repository["encryptionConfiguration"]["encryptionType"]),
        lifecycle_policy=lifecycle,
        repository_policy=policy,
        tags={t["Key"]: t["Value"] for t in tags},
    )


def without_extra_tags(deployed: RepositoryState, expected: RepositoryState) -> RepositoryState:
    """``deployed`` with only the tag keys ``expected`` names (AWS adds ``aws:cloudformation:*`` tags)."""
    return replace(deployed, tags={k: v for k, v in deployed.tags.items() if k in expected.tags})
