"""The control: a plain ``aws_ecr.Repository`` with the secure settings written out by hand.

It goes through the same emulator, CLI and checks as the patterns; when a pattern's check fails
and this one passes, the pattern is wrong, not the emulator. DESTROY with ``empty_on_delete``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from integ.apps import common

APP = "Plain"
REPOSITORY = "plain"


def build(app: cdk.App) -> cdk.Stack:
    stack = common.new_stack(app, APP)
    ecr.Repository(
        stack,
        "Repo",
        repository_name=common.name(app, REPOSITORY),
        image_scan_on_push=True,
        image_tag_mutability=ecr.TagMutability.IMMUTABLE,
        encryption=ecr.RepositoryEncryption.KMS,
        lifecycle_rules=[ecr.LifecycleRule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14))],
        removal_policy=cdk.RemovalPolicy.DESTROY,
        empty_on_delete=True,
    )
    return stack


if __name__ == "__main__":
    common.main(build)
