"""Step ``pushed``: a real image (layer, config, manifest) pushed through the ECR API."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from integ.conftest import Pushes
from integ.deployment import Deployment
from integ.images import Image, digest_of, push_image

pytestmark = pytest.mark.stage("pushed")


def test_pushed_image_is_listed_under_its_tag(pushed: Pushes, ecr: Any) -> None:
    for name, digest in pushed.digests.items():
        assert digest == pushed.image.digest
        assert digest_of(ecr, name, pushed.tag) == digest


def test_immutable_repository_rejects_overwriting_a_tag(pushed: Pushes, deployment: Deployment, ecr: Any) -> None:
    name = deployment.repository_name("prod")
    other = Image.build("ecr-patterns integration image 2")
    with pytest.raises(ClientError) as caught:
        push_image(ecr, name, pushed.tag, other)
    assert caught.value.response["Error"]["Code"] == "ImageTagAlreadyExistsException"
    assert digest_of(ecr, name, pushed.tag) == pushed.image.digest


def test_mutable_dev_repository_lets_a_tag_move(pushed: Pushes, deployment: Deployment, ecr: Any) -> None:
    name = deployment.repository_name("dev")
    other = Image.build("ecr-patterns integration image 3")
    push_image(ecr, name, pushed.tag, other)
    assert digest_of(ecr, name, pushed.tag) == other.digest
