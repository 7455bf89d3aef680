"""A SecureRepository whose encryption changes: what CloudFormation's replacement does and what RETAIN keeps.

``EncryptionConfiguration`` and ``RepositoryName`` are ``createOnlyProperties`` of ``AWS::ECR::Repository``:
changing one replaces the repository. Stages (context ``integ:stage``):

- ``initial``: KMS (the default), named ``encryption-v1``;
- ``encryption-changed``: AES256, same name: CloudFormation refuses to replace a custom-named resource;
- ``encryption-changed-renamed``: AES256, named ``encryption-v2``: a new, empty repository is created and,
  RETAIN being the default, the old one stays with its images.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr

from ecr_patterns import SecureRepository
from integ.apps import common

APP = "Encryption"
REPOSITORY = "encryption-v1"
RENAMED_REPOSITORY = "encryption-v2"


def build(app: cdk.App) -> cdk.Stack:
    stage = common.stage(app)
    stack = common.new_stack(app, APP)
    changed = stage in (common.ENCRYPTION_CHANGED, common.RENAMED)
    SecureRepository(
        stack,
        "Repo",
        repository_name=common.name(app, RENAMED_REPOSITORY if stage == common.RENAMED else REPOSITORY),
        encryption=ecr.RepositoryEncryption.AES_256 if changed else None,
    )
    return stack


if __name__ == "__main__":
    common.main(build)
