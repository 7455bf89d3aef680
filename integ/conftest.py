"""Fixtures of the integration suite: one deploy target per session and the cycle

    deploy -> check -> update -> check -> push images -> destroy -> check what survived

Test modules declare their step with ``pytestmark = pytest.mark.stage("deployed")`` (``updated``,
``pushed``, ``destroyed``); collection runs the steps in that order, tests without a stage (the
emulator's own tests) first. Each step is a session fixture that depends on the one it needs,
so a subset of the tests (``-k``) still runs a coherent cycle.

Clean-up is in ``finally`` whatever fails: stacks still deployed are destroyed, repositories that
survive their stacks by design (RETAIN) are deleted with their images, the emulator is stopped by
its PID and the temporary directory is removed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# jsii must use the virtualenv's Node 24; set before aws_cdk is imported (by integ.deployment).
_VENV_BIN = str(Path(__file__).resolve().parent.parent / ".venv" / "bin")
if os.path.isdir(_VENV_BIN) and _VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _VENV_BIN + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

from integ.apps import common  # noqa: E402
from integ.cdk_cli import CdkCli, CdkCliError  # noqa: E402
from integ.deployment import Deployment  # noqa: E402
from integ.emulator import Emulator  # noqa: E402
from integ.images import Image, push_image  # noqa: E402
from integ.target import EMULATOR, Target, mode  # noqa: E402

STAGES = ("deployed", "updated", "pushed", "destroyed")
SANDBOX_TEST_TIMEOUT = 3 * 3600
"""pytest-timeout per test in the sandbox mode (the project default, 600 s, fits the emulator)."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"stage(name): the step of the deploy cycle a test checks, one of {STAGES}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def step(item: pytest.Item) -> int:
        marker = item.get_closest_marker("stage")
        return 0 if marker is None else 1 + STAGES.index(marker.args[0])

    items.sort(key=step)  # stable: file and definition order within a step
    if mode() != EMULATOR:
        # The first deploy-cycle test sets up every stack of a real account in its fixture.
        for item in items:
            item.add_marker(pytest.mark.timeout(SANDBOX_TEST_TIMEOUT))


@pytest.fixture(scope="session")
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="ecr-patterns-integ-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def emulator(workdir: Path) -> Iterator[Emulator | None]:
    """The emulator in emulator mode (stopped by its PID at the end), ``None`` in sandbox mode."""
    if mode() != EMULATOR:
        yield None
        return
    running = Emulator.start(workdir / "emulator.log", recording_path=workdir / "moto_recording.jsonl")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def target(emulator: Emulator | None) -> Target:
    return Target.for_emulator(emulator.endpoint_url) if emulator is not None else Target.for_aws()


@pytest.fixture(scope="session")
def pseudo(target: Target) -> dict[str, str]:
    """CloudFormation's pseudo parameters on the target, to resolve synthesized values."""
    return {
        "AWS::Partition": target.partition,
        "AWS::Region": target.region,
        "AWS::AccountId": target.account,
        "AWS::URLSuffix": "amazonaws.com",
    }


@pytest.fixture(scope="session")
def ecr(target: Target) -> Any:
    return target.client("ecr")


@pytest.fixture(scope="session")
def deployment(target: Target, emulator: Emulator | None, workdir: Path) -> Iterator[Deployment]:
    """Every app synthesized and deployed (step ``deployed``); everything removed at the end."""
    deployment = Deployment(target, CdkCli(target, workdir), workdir)
    try:
        try:
            deployment.bootstrap()
            for app in deployment.apps:
                deployment.deploy(app)
        except CdkCliError as error:
            if emulator is not None:
                raise CdkCliError(f"{error}\n--- emulator log (tail) ---\n{emulator.log_tail()}") from None
            raise
        yield deployment
    finally:
        errors = deployment.destroy_all()
        deployment.delete_leftover_repositories()
        if errors:
            raise CdkCliError("clean-up could not destroy every stack:\n" + "\n".join(map(str, errors)))


@dataclass(frozen=True)
class Update:
    """Step ``updated``: the lifecycle app redeployed with its ``updated`` stage."""

    created_before: Any
    """The repository's ``createdAt`` before the update."""


@pytest.fixture(scope="session")
def updated(deployment: Deployment, ecr: Any) -> Update:
    name = deployment.repository_name("lifecycle")
    created = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]["createdAt"]
    deployment.deploy("lifecycle", common.UPDATED)
    return Update(created_before=created)


@dataclass(frozen=True)
class Pushes:
    """Step ``pushed``: one image pushed to each repository that must show its fate on destroy."""

    image: Image
    tag: str
    digests: dict[str, str]
    """Repository name -> digest of ``image`` pushed there under ``tag``."""


@pytest.fixture(scope="session")
def pushed(deployment: Deployment, ecr: Any) -> Pushes:
    image, tag = Image.build("ecr-patterns integration image 1"), "1.0.0"
    names = [deployment.repository_name(base) for base in ("prod", "dev", "secure-defaults")]
    return Pushes(image, tag, {name: push_image(ecr, name, tag, image) for name in names})


@pytest.fixture(scope="session")
def destroyed(deployment: Deployment, pushed: Pushes) -> list[str]:
    """Step ``destroyed``: every app destroyed with ``cdk destroy``; returns the stack names."""
    stacks = [name for app in deployment.apps for name in deployment.assembly(app).stack_names()]
    for app in reversed(deployment.apps):
        deployment.destroy(app)
    return stacks
