"""One repository per compliance rule that can judge a live repository, each failing that rule alone (and one
passing every rule): deployed, then audited, to prove that each rule gives the same verdict on the template and
on the live repository (``integ/test_verdicts.py``). DESTROY with ``empty_on_delete``."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam

from integ.apps import common

APP = "Verdicts"
REPOSITORIES = (
    "verdict-compliant",
    "verdict-unscanned",
    "verdict-mutable",
    "verdict-aes256",
    "verdict-aws-managed-key",
    "verdict-no-lifecycle",
    "verdict-open",
)
"""Each name says what it fails (``aes256``: EcrPatterns-Encryption when KMS is required; ``aws-managed-key``: when
a customer managed key is required)."""


PREFIX = "ecr-patterns-verdicts"
"""Outside the other apps' prefix: these repositories fail rules on purpose, and the audit step audits that
prefix expecting the patterns' repositories to pass."""


def repository_name(base: str, suffix: str = "") -> str:
    return f"{PREFIX}/{base}{suffix}"


def _repository(stack: cdk.Stack, app: cdk.App, base: str, **overrides: object) -> ecr.Repository:
    props: dict[str, object] = {
        "image_scan_on_push": True,
        "image_tag_mutability": ecr.TagMutability.IMMUTABLE,
        "encryption": ecr.RepositoryEncryption.KMS,
        "lifecycle_rules": [ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14))],
        **overrides,
    }
    return ecr.Repository(
        stack,
        base,
        repository_name=repository_name(base, common.suffix(app)),
        removal_policy=cdk.RemovalPolicy.DESTROY,
        empty_on_delete=True,
        **props,  # type: ignore[arg-type]
    )


def build(app: cdk.App) -> cdk.Stack:
    stack = common.new_stack(app, APP)
    _repository(stack, app, "verdict-compliant")
    _repository(stack, app, "verdict-unscanned", image_scan_on_push=None)
    _repository(stack, app, "verdict-mutable", image_tag_mutability=ecr.TagMutability.MUTABLE)
    # No encryption configuration at all: ECR applies AES256, the same repository as an explicit AES256.
    _repository(stack, app, "verdict-aes256", encryption=None)
    aws_managed = _repository(stack, app, "verdict-aws-managed-key")
    aws_managed.node.default_child.add_property_override(  # type: ignore[union-attr]
        "EncryptionConfiguration.KmsKey", "alias/aws/ecr"
    )
    _repository(stack, app, "verdict-no-lifecycle", lifecycle_rules=None)
    _repository(stack, app, "verdict-open").add_to_resource_policy(
        iam.PolicyStatement(actions=["ecr:BatchGetImage"], principals=[iam.AnyPrincipal()])
    )
    return stack


if __name__ == "__main__":
    common.main(build)
