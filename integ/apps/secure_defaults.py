"""SecureRepository with every default: scan on push, immutable tags, KMS, the default lifecycle
policy, RETAIN (it survives the destroy; the suite deletes it afterwards)."""

from __future__ import annotations

import aws_cdk as cdk

from ecr_patterns import SecureRepository
from integ.apps import common

APP = "SecureDefaults"
REPOSITORY = "secure-defaults"


def build(app: cdk.App) -> cdk.Stack:
    stack = common.new_stack(app, APP)
    SecureRepository(stack, "Repo", repository_name=common.name(app, REPOSITORY))
    return stack


if __name__ == "__main__":
    common.main(build)
