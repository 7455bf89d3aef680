"""DevRepository and ProdRepository with their preset defaults, side by side.

Dev: mutable tags, 7-day/10-image lifecycle, DESTROY with ``empty_on_delete`` (gone after the
destroy, images and all). Prod: immutable tags, an archive-only lifecycle (untagged images after 14
days, all but the newest 30), RETAIN (it and its images survive the destroy; the suite deletes it
afterwards).
"""

from __future__ import annotations

import aws_cdk as cdk

from ecr_patterns import DevRepository, ProdRepository
from integ.apps import common

APP = "Presets"
DEV_REPOSITORY = "dev"
PROD_REPOSITORY = "prod"


def build(app: cdk.App) -> cdk.Stack:
    stack = common.new_stack(app, APP)
    DevRepository(stack, "Dev", repository_name=common.name(app, DEV_REPOSITORY))
    ProdRepository(stack, "Prod", repository_name=common.name(app, PROD_REPOSITORY))
    return stack


if __name__ == "__main__":
    common.main(build)
