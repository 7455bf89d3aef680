"""The registry-level constructs, which configure the whole account and region: replication of
this suite's repositories to another region, scan on push for them, the registry policy a
replication destination needs, and the RegistryKey with a repository encrypted by it. The suite
deploys it to the emulator; against a sandbox account only with ``ECR_PATTERNS_INTEG_REGISTRY=1``,
because it replaces that account's registry settings."""

from __future__ import annotations

import aws_cdk as cdk

from ecr_patterns import DevRepository
from ecr_patterns.registry import (
    RegistryKey,
    RegistryPolicy,
    RegistryReplication,
    RegistryScanning,
    ReplicationDestination,
    ReplicationRule,
    ScanFrequency,
    ScanRule,
    replication_policy_statement,
)
from integ.apps import common

APP = "Registry"
DESTINATION_REGION = "us-west-2"
KEYED_REPOSITORY = "registry-keyed"
"""A DevRepository encrypted with the RegistryKey: the stack delete removes it and keeps the key (RETAIN)."""
KEY_TAG = "ecr-patterns:integ-key"


def build(app: cdk.App) -> cdk.Stack:
    stack = common.new_stack(app, APP)
    prefix = common.REPOSITORY_PREFIX + "/"
    RegistryReplication(
        stack,
        "Replication",
        rules=[ReplicationRule([ReplicationDestination(DESTINATION_REGION)], repository_prefixes=[prefix])],
    )
    RegistryScanning(stack, "Scanning", rules=[ScanRule(ScanFrequency.SCAN_ON_PUSH, filters=[prefix + "*"])])
    RegistryPolicy(
        stack,
        "Policy",
        statements=[replication_policy_statement(common.account(app), destination_region=DESTINATION_REGION)],
    )
    key = RegistryKey(stack, "Key")
    # Names this run's key (the suffix differs per sandbox run), so the destroyed step finds it and only it.
    cdk.Tags.of(key).add(KEY_TAG, common.name(app, KEYED_REPOSITORY))
    keyed = DevRepository(stack, "Keyed", repository_name=common.name(app, KEYED_REPOSITORY), encryption_key=key)
    puller = app.node.try_get_context(common.PULLER_ACCOUNT)
    if puller:
        # Also extends the key's policy for that account (through ECR only).
        keyed.grant_pull_to_accounts(str(puller))
    return stack


if __name__ == "__main__":
    common.main(build)
