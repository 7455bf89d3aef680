"""One template snapshot per public construct: a backstop that shows unintended template changes
as a diff in review. Fine-grained assertions live in the other tests.

Update after an intended change with ``pytest tests/snapshots --snapshot-update``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk.assertions import Template
from syrupy.assertion import SnapshotAssertion

from ecr_patterns import DevRepository, ProdRepository, SecurePublicRepository, SecureRepository
from ecr_patterns.registry import (
    PullThroughCache,
    PullTimeUpdateExclusions,
    RegistryKey,
    RegistryPolicy,
    RegistryReplication,
    RegistryScanning,
    ReplicationDestination,
    ReplicationRule,
    RepositoryCreationTemplate,
    SigningConfiguration,
    SigningRule,
    UpstreamRegistry,
    replication_policy_statement,
)

_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def masked(stack: cdk.Stack) -> dict[str, Any]:
    """The template without what changes between aws-cdk-lib releases or runs: the bootstrap
    parameter and rule, and asset hashes."""
    template = dict(Template.from_stack(stack).to_json())
    template.pop("Parameters", None)
    template.pop("Rules", None)
    result: dict[str, Any] = json.loads(_HASH.sub("<hash>", json.dumps(template, sort_keys=True)))
    return result


def secure(stack: cdk.Stack) -> None:
    SecureRepository(stack, "Repo")


def dev(stack: cdk.Stack) -> None:
    DevRepository(stack, "Repo")


def prod(stack: cdk.Stack) -> None:
    repo = ProdRepository(stack, "Repo")
    repo.grant_pull_to_organization("o-a1b2c3d4e5")


def replication(stack: cdk.Stack) -> None:
    RegistryReplication(
        stack, "Replication", rules=[ReplicationRule([ReplicationDestination("eu-west-1", "222222222222")], ["prod/"])]
    )


def pull_through_cache(stack: cdk.Stack) -> None:
    secret = secretsmanager.Secret.from_secret_name_v2(stack, "Token", "ecr-pullthroughcache/docker-hub")
    PullThroughCache(
        stack, "Cache", ecr_repository_prefix="docker-hub", upstream=UpstreamRegistry.DOCKER_HUB, credential=secret
    )


def scanning(stack: cdk.Stack) -> None:
    RegistryScanning(stack, "Scanning")


def creation_template(stack: cdk.Stack) -> None:
    RepositoryCreationTemplate(stack, "Template", prefix="ROOT")


def registry_policy(stack: cdk.Stack) -> None:
    RegistryPolicy(stack, "Policy", statements=[replication_policy_statement("222222222222")])


def registry_key(stack: cdk.Stack) -> None:
    key = RegistryKey(stack, "Key")
    ProdRepository(stack, "Repo", encryption_key=key).grant_pull_to_organization("o-a1b2c3d4e5")
    RepositoryCreationTemplate(stack, "Template", prefix="ROOT", encryption_key=key)


def signing_configuration(stack: cdk.Stack) -> None:
    profile = "arn:aws:signer:eu-west-1:111111111111:/signing-profiles/ci_images"
    config = SigningConfiguration(stack, "Signing", rules=[SigningRule(profile, repository_filters=["prod/*"])])
    role = iam.Role(stack, "Ci", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    config.grant_push_and_sign(role, SecureRepository(stack, "Repo"))


def public_repository(stack: cdk.Stack) -> None:
    SecurePublicRepository(
        stack,
        "Cli",
        repository_name="tools/cli",
        description="A CLI",
        tags={"team": "platform"},
        architectures=["x86-64"],
        operating_systems=["Linux"],
        push_principals=[iam.AccountPrincipal("222222222222")],
    )


def pull_time_exclusions(stack: cdk.Stack) -> None:
    PullTimeUpdateExclusions(stack, "Exclusions", principal_arns=["arn:aws:iam::111111111111:role/Scanner"])


CONSTRUCTS: dict[str, Callable[[cdk.Stack], None]] = {
    "SecureRepository": secure,
    "DevRepository": dev,
    "ProdRepository": prod,
    "RegistryReplication": replication,
    "PullThroughCache": pull_through_cache,
    "RegistryScanning": scanning,
    "RepositoryCreationTemplate": creation_template,
    "RegistryPolicy": registry_policy,
    "PullTimeUpdateExclusions": pull_time_exclusions,
    "RegistryKey": registry_key,
    "SigningConfiguration": signing_configuration,
    "SecurePublicRepository": public_repository,
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_template_matches_its_snapshot(name: str, snapshot: SnapshotAssertion) -> None:
    stack = cdk.Stack(cdk.App(), "Snapshot")
    CONSTRUCTS[name](stack)
    assert masked(stack) == snapshot
