"""An existing repository, with its images, brought under SecureRepository as README says: ``ecr-patterns adopt``'s
import code, ``cdk import`` with its mapping, then the follow-up deploy of the pattern's defaults, in place.
The emulator completes moto's IMPORT change sets (``integ/test_emulator.py`` shows the gap in unpatched moto)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ecr_patterns.core.lifecycle.live import list_repository_images
from ecr_patterns.core.lifecycle.standard import default_policy_rules
from ecr_patterns.lifecycle import LifecyclePolicy
from ecr_patterns.tools.audit.adopt import AdoptionPlan, plan_adoption, read_live
from integ.apps import adopt
from integ.cdk_cli import CdkCliError
from integ.deployment import Deployment
from integ.emulator import Emulator
from integ.images import Image, push_image
from integ.state import RepositoryState, deployed_state

pytestmark = pytest.mark.stage("deployed")


@dataclass(frozen=True)
class Adoption:
    name: str
    digests: list[str]
    created_at: Any
    plan: AdoptionPlan
    stack_resources: list[tuple[str, str]]
    after_import: RepositoryState
    after_follow_up: RepositoryState


def _created_at(ecr: Any, name: str) -> Any:
    return ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["createdAt"]


def _digests(ecr: Any, name: str) -> list[str]:
    return sorted(i["imageDigest"] for i in ecr.describe_images(repositoryName=name)["imageDetails"])


@pytest.fixture(scope="module")
def adoption(deployment: Deployment, target: Any, workdir: Path, emulator: Emulator | None) -> Adoption:
    try:
        return _adopt(deployment, target, workdir)
    except CdkCliError as error:
        if emulator is None:
            raise
        raise CdkCliError(f"{error}\n--- emulator log (tail) ---\n{emulator.log_tail()}") from None


def _adopt(deployment: Deployment, target: Any, workdir: Path) -> Adoption:
    ecr = target.client("ecr")
    name = deployment.repository_name(adopt.REPOSITORY)
    # Made by hand, years ago: mutable tags, no scan on push, AES256, no lifecycle policy.
    ecr.create_repository(repositoryName=name, tags=[{"Key": "owner", "Value": "legacy"}])
    digests = sorted(push_image(ecr, name, f"v{i}", Image.build(f"adopted image {i}")) for i in range(3))
    created_at = _created_at(ecr, name)
    deployment.deploy("adopt")  # the stack, before the repository is part of it

    live = read_live(ecr, name, kms=target.client("kms"))
    images = list_repository_images(name, client=ecr)
    import_code = workdir / "adopt-import.py"
    import_code.write_text(plan_adoption(live, images).import_code, encoding="utf-8")
    synthesized = deployment.synthesize("adopt", context={adopt.CODE: str(import_code)})
    (logical_id,) = [
        logical_id
        for _, template in synthesized.templates()
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::ECR::Repository"
    ]
    plan = plan_adoption(live, images, logical_id=logical_id)
    mapping = workdir / "adopt-mapping.json"
    mapping.write_text(json.dumps(plan.resource_mapping), encoding="utf-8")
    assembly = deployment.import_resources("adopt", mapping, context={adopt.CODE: str(import_code)})
    (stack,) = assembly.stack_names()
    resources = target.client("cloudformation").describe_stack_resources(StackName=stack)["StackResources"]
    after_import = deployed_state(ecr, name)

    follow_up = workdir / "adopt-follow-up.py"
    follow_up.write_text(plan.follow_up_code, encoding="utf-8")
    deployment.deploy("adopt", context={adopt.CODE: str(follow_up)})
    return Adoption(
        name=name,
        digests=digests,
        created_at=created_at,
        plan=plan,
        stack_resources=[(r.get("LogicalResourceId", ""), r.get("PhysicalResourceId", "")) for r in resources],
        after_import=after_import,
        after_follow_up=deployed_state(ecr, name),
    )


def test_cdk_import_puts_the_existing_repository_in_the_stack_unchanged(adoption: Adoption) -> None:
    assert (adoption.plan.logical_id, adoption.name) in adoption.stack_resources
    state = adoption.after_import
    assert (state.scan_on_push, state.tag_mutability, state.encryption_type) == (False, "MUTABLE", "AES256")
    assert state.lifecycle_policy is None


def test_the_follow_up_deploy_applies_the_secure_defaults_in_place_keeping_every_image(
    adoption: Adoption, ecr: Any
) -> None:
    state = adoption.after_follow_up
    assert (state.scan_on_push, state.tag_mutability) == (True, "IMMUTABLE")
    assert state.lifecycle_policy == LifecyclePolicy.from_rules(default_policy_rules()).to_json()
    # In place: the same repository (createdAt), every image still there; encryption create-only, unchanged.
    assert _created_at(ecr, adoption.name) == adoption.created_at
    assert _digests(ecr, adoption.name) == adoption.digests
    assert state.encryption_type == "AES256"


def test_the_plan_said_what_the_follow_up_would_do(adoption: Adoption) -> None:
    changed = {c.property: c.in_place for c in adoption.plan.changes}
    assert changed == {
        "ImageScanningConfiguration.ScanOnPush": True,
        "ImageTagMutability": True,
        "LifecyclePolicy": True,
        "EncryptionConfiguration": False,
    }
    assert (adoption.plan.images, adoption.plan.expiring) == (3, 0)
