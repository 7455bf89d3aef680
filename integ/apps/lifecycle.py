"""SecureRepository with custom lifecycle rules from ``ecr_patterns.lifecycle``; the app the
cycle updates. Stage ``updated`` changes one rule (untagged images expire after 5 days instead
of 3) and the scan setting (scan on push off). DESTROY with ``empty_on_delete``."""

from __future__ import annotations

import aws_cdk as cdk

from ecr_patterns import SecureRepository
from ecr_patterns.lifecycle import (
    delete_tagged_matching_after_days,
    delete_untagged_after_days,
    keep_last_n_images,
    keep_tagged_images,
)
from integ.apps import common

APP = "Lifecycle"
REPOSITORY = "lifecycle"
UNTAGGED_DAYS = {common.INITIAL: 3, common.UPDATED: 5}
SCAN_ON_PUSH = {common.INITIAL: True, common.UPDATED: False}


def build(app: cdk.App) -> cdk.Stack:
    stage = common.stage(app)
    stack = common.new_stack(app, APP)
    SecureRepository(
        stack,
        "Repo",
        repository_name=common.name(app, REPOSITORY),
        image_scan_on_push=SCAN_ON_PUSH[stage],
        lifecycle_rules=[
            keep_tagged_images("release", 20),
            delete_tagged_matching_after_days("*-rc*", 14),
            delete_untagged_after_days(UNTAGGED_DAYS[stage]),
            keep_last_n_images(50),
        ],
        removal_policy=cdk.RemovalPolicy.DESTROY,
        empty_on_delete=True,
    )
    return stack


if __name__ == "__main__":
    common.main(build)
