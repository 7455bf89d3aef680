"""Seeded estates for the audit tests: repositories made with boto3 against moto (in-process or the
emulator), each kind an audit must judge."""

from __future__ import annotations

import json
from typing import Any

from tests.offline import offline_aws

__all__ = ["offline_aws"]

KEEP_LAST_3 = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3},
            "action": {"type": "expire"},
        }
    ]
}
# The CDK bootstrap template's rule (bootstrap version 33): untagged images after 365 days.
BOOTSTRAP_LIKE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "Untagged images should not exist, but expire any older than one year",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 365,
            },
            "action": {"type": "expire"},
        }
    ]
}


def manifest(seed: int, layer_size: int = 1000) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "digest": f"sha256:{seed:064x}",
                "size": 1,
                "mediaType": "application/vnd.oci.image.config.v1+json",
            },
            "layers": [
                {
                    "digest": f"sha256:{seed + 10_000:064x}",
                    "size": layer_size,
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                }
            ],
        }
    )


def push(ecr: Any, repository: str, seed: int, tag: str | None = None) -> str:
    args: dict[str, Any] = {
        "repositoryName": repository,
        "imageManifest": manifest(seed),
        "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
    }
    if tag:
        args["imageTag"] = tag
    return str(ecr.put_image(**args)["image"]["imageId"]["imageDigest"])


def push_index(ecr: Any, repository: str, children: list[str], tag: str) -> str:
    index = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [
                {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": 100} for d in children
            ],
        }
    )
    answer = ecr.put_image(
        repositoryName=repository,
        imageManifest=index,
        imageTag=tag,
        imageManifestMediaType="application/vnd.oci.image.index.v1+json",
    )
    return str(answer["image"]["imageId"]["imageDigest"])


def seed_estate(
    session: Any, region: str = "us-east-1", *, prefix: str = "", endpoint_url: str | None = None
) -> dict[str, str]:
    """A compliant repository, a plain one, a bootstrap-like one and a multi-architecture one; returns
    {kind: repository name}. ``endpoint_url``: default ``None`` (moto in-process); the emulator's address."""
    ecr = session.client("ecr", region_name=region, endpoint_url=endpoint_url)
    names = {
        "compliant": f"{prefix}compliant-app",
        "plain": f"{prefix}plain-app",
        "bootstrap": f"{prefix}cdk-hnb659fds-container-assets",
        "multiarch": f"{prefix}multiarch-app",
    }
    secure = {"imageTagMutability": "IMMUTABLE", "imageScanningConfiguration": {"scanOnPush": True}}
    ecr.create_repository(
        repositoryName=names["compliant"], encryptionConfiguration={"encryptionType": "KMS"}, **secure
    )
    ecr.create_repository(repositoryName=names["plain"])
    ecr.create_repository(repositoryName=names["bootstrap"], imageTagMutability="IMMUTABLE")
    ecr.create_repository(repositoryName=names["multiarch"], **secure)
    for kind in ("compliant", "multiarch"):
        ecr.put_lifecycle_policy(repositoryName=names[kind], lifecyclePolicyText=json.dumps(KEEP_LAST_3))
    ecr.put_lifecycle_policy(repositoryName=names["bootstrap"], lifecyclePolicyText=json.dumps(BOOTSTRAP_LIKE))
    for i in range(5):
        push(ecr, names["compliant"], i, f"v{i}")
        push(ecr, names["plain"], 100 + i, f"build-{i}")
        push(ecr, names["bootstrap"], 200 + i, f"{i:064x}")
    children = [push(ecr, names["multiarch"], 300 + i) for i in range(2)]
    push_index(ecr, names["multiarch"], children, "v1")
    return names


class CallRecorder:
    """Every AWS operation a boto3 session's clients make (``service:Operation``), from botocore's
    ``before-call`` event: the client side of the read-only proof."""

    def __init__(self, session: Any) -> None:
        self.calls: list[str] = []
        session.events.register("before-call", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.calls.append(f"{model.service_model.service_name}:{model.name}")
