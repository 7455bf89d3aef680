"""An existing repository brought under SecureRepository, with ``ecr-patterns adopt``'s code. The test makes the
repository with boto3 first, then deploys this app three times (context ``integ:adopt-code``):

- without the value: a placeholder only (the stack exists before the import, as ``cdk import`` needs);
- with the path of the import code: the repository described as it is, imported with ``cdk import``;
- with the path of the follow-up code: the pattern's defaults, deployed in place.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk

from ecr_patterns.tools.audit.adopt import IMPORTS
from integ.apps import common

APP = "Adopt"
REPOSITORY = "adopted"
CODE = "integ:adopt-code"


def build(app: cdk.App) -> cdk.Stack:
    stack = common.new_stack(app, APP)
    # A stack needs a resource; this one never changes, so the import adds only the repository.
    cdk.CfnWaitConditionHandle(stack, "Placeholder")
    code = app.node.try_get_context(CODE)
    if code:
        source = IMPORTS + Path(code).read_text(encoding="utf-8")
        exec(compile(source, code, "exec"), {"self": stack})
    return stack


if __name__ == "__main__":
    common.main(build)
