"""Step ``destroyed``: after ``cdk destroy``, RETAIN repositories and their images survive; the rest are gone."""

from __future__ import annotations

from typing import Any

import pytest

from integ.conftest import Pushes
from integ.deployment import Deployment
from integ.state import repository_exists

pytestmark = pytest.mark.stage("destroyed")

SURVIVORS = ("prod", "secure-defaults")
GONE = ("dev", "plain", "grants", "lifecycle")


def test_every_stack_is_gone(destroyed: list[str], target: Any) -> None:
    cloudformation = target.client("cloudformation")
    live = {
        s["StackName"]
        for page in cloudformation.get_paginator("list_stacks").paginate()
        for s in page["StackSummaries"]
        if s["StackStatus"] != "DELETE_COMPLETE"
    }
    assert not live & set(destroyed)


@pytest.mark.parametrize("base", SURVIVORS)
def test_retained_repository_survives_with_its_image(
    destroyed: list[str], pushed: Pushes, deployment: Deployment, ecr: Any, base: str
) -> None:
    name = deployment.repository_name(base)
    assert repository_exists(ecr, name)
    images = ecr.describe_images(repositoryName=name)["imageDetails"]
    assert [i["imageDigest"] for i in images] == [pushed.digests[name]]


@pytest.mark.parametrize("base", GONE)
def test_destroyable_repository_is_gone(destroyed: list[str], deployment: Deployment, ecr: Any, base: str) -> None:
    assert not repository_exists(ecr, deployment.repository_name(base))
