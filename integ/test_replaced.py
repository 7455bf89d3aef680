"""Step ``updated``: a change of encryption through the CDK CLI. ``EncryptionConfiguration`` is a
``createOnlyProperties`` member of ``AWS::ECR::Repository`` (CloudFormation's resource schema; the emulator
replaces exactly on those, test_emulator.py), so the change replaces the repository:

- with the same custom name, CloudFormation refuses the update and the repository keeps its key and images;
- with a new name, a new, empty repository is created with the new encryption, and RETAIN (the pattern's
  ``UpdateReplacePolicy``) keeps the old repository with its images: nothing is lost, but the images do not
  move to the new repository by themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from integ.apps import common
from integ.cdk_cli import CdkCliError
from integ.deployment import Deployment
from integ.images import Image, push_image
from integ.state import repository_exists

pytestmark = pytest.mark.stage("updated")


@dataclass(frozen=True)
class Replacement:
    refused: str
    """The CLI's output for the update that kept the name."""
    digest: str
    """The image pushed to the original repository before the updates."""


def _encryption(ecr: Any, name: str) -> str:
    return str(
        ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["encryptionConfiguration"][
            "encryptionType"
        ]
    )


def _digests(ecr: Any, name: str) -> list[str]:
    return [i["imageDigest"] for i in ecr.describe_images(repositoryName=name)["imageDetails"]]


@pytest.fixture(scope="session")
def replacement(deployment: Deployment, ecr: Any) -> Replacement:
    original = deployment.repository_name("encryption-v1")
    digest = push_image(ecr, original, "1.0.0", Image.build("ecr-patterns encryption image"))
    with pytest.raises(CdkCliError) as refused:
        deployment.deploy("encryption", common.ENCRYPTION_CHANGED)
    deployment.deploy("encryption", common.RENAMED)
    return Replacement(refused=str(refused.value), digest=digest)


def test_changing_the_encryption_of_a_named_repository_is_refused_and_changes_nothing(
    replacement: Replacement, deployment: Deployment, ecr: Any
) -> None:
    assert "custom-named resource requires replacing" in replacement.refused


def test_a_renamed_repository_with_new_encryption_is_a_new_empty_repository(
    replacement: Replacement, deployment: Deployment, ecr: Any
) -> None:
    renamed = deployment.repository_name("encryption-v2")
    assert _encryption(ecr, renamed) == "AES256"
    assert _digests(ecr, renamed) == []


def test_retain_keeps_the_replaced_repository_with_its_key_and_its_images(
    replacement: Replacement, deployment: Deployment, ecr: Any
) -> None:
    original = deployment.repository_name("encryption-v1")
    assert repository_exists(ecr, original)
    assert _encryption(ecr, original) == "KMS"
    assert _digests(ecr, original) == [replacement.digest]
