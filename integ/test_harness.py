"""The suite's own machinery, without a deploy target: CLI timeouts and the comparison helpers."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from integ.cdk_cli import CdkCli, CdkCliError
from integ.policies import canonical_policy, resolve
from integ.target import AWS, MODE_VARIABLE, REGISTRY_VARIABLE, Target, TargetError, mode

PSEUDO = {"AWS::Partition": "aws", "AWS::AccountId": "123456789012"}


class _FakeTarget:
    mode = "emulator"
    cli_environment = dict(os.environ)


def test_cli_step_that_hangs_is_killed_with_its_children(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    hang = tmp_path / "cdk"
    # A CLI that starts a child and never ends, like a stuck deploy.
    hang.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {marker}\nwait\n")
    hang.chmod(0o755)
    cli = CdkCli(_FakeTarget(), tmp_path, executable=hang)  # type: ignore[arg-type]
    started = time.monotonic()
    with pytest.raises(CdkCliError, match="did not finish within 1 s"):
        cli.run(["deploy"], timeout=1)
    assert time.monotonic() - started < 10
    child = int(marker.read_text())
    deadline = time.monotonic() + 5  # SIGKILL is asynchronous: give the kernel a moment
    while _running(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _running(child)


def _running(pid: int) -> bool:
    """Whether ``pid`` still runs (a killed orphan may linger as a zombie until it is reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_cli_step_that_fails_reports_its_output(tmp_path: Path) -> None:
    failing = tmp_path / "cdk"
    failing.write_text("#!/bin/sh\necho 'Stack EcrPatternsInteg-X failed: boom'\nexit 1\n")
    failing.chmod(0o755)
    with pytest.raises(CdkCliError, match=r"exited with 1:\nStack EcrPatternsInteg-X failed: boom"):
        CdkCli(_FakeTarget(), tmp_path, executable=failing).run(["deploy"], timeout=30)  # type: ignore[arg-type]


def test_missing_cli_names_the_set_up_step(tmp_path: Path) -> None:
    with pytest.raises(CdkCliError, match="make setup"):
        CdkCli(_FakeTarget(), tmp_path, executable=tmp_path / "absent")  # type: ignore[arg-type]


def test_resolve_evaluates_pseudo_parameters_in_joins() -> None:
    value = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}
    assert resolve({"AWS": value}, PSEUDO) == {"AWS": "arn:aws:iam::123456789012:root"}


@pytest.mark.parametrize("token", [{"Ref": "SomeBucket"}, {"Fn::GetAtt": ["Key", "Arn"]}])
def test_resolve_refuses_what_only_a_deployment_knows(token: Any) -> None:
    with pytest.raises(ValueError, match="outside a deployment"):
        resolve({"Key": token}, PSEUDO)


def test_canonical_policy_ignores_list_forms_and_statement_order() -> None:
    a = {"Version": "2012-10-17", "Statement": [{"Sid": "b", "Action": "ecr:X"}, {"Sid": "a", "Action": ["ecr:Y"]}]}
    b = {"Version": "2012-10-17", "Statement": [{"Sid": "a", "Action": "ecr:Y"}, {"Sid": "b", "Action": ["ecr:X"]}]}
    assert canonical_policy(a) == canonical_policy(b)
    assert canonical_policy(a) != canonical_policy({**b, "Statement": [{"Sid": "a", "Action": "ecr:Z"}]})


@pytest.fixture
def aws_mode_against(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sandbox mode's settings, with STS answered by the emulator (no account is reachable here)."""
    if emulator is None:
        pytest.skip("needs the local emulator")
    for key in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_DEFAULT_REGION", REGISTRY_VARIABLE):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv(MODE_VARIABLE, AWS)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.endpoint_url)


@pytest.mark.usefixtures("aws_mode_against")
def test_sandbox_mode_uses_the_callers_settings_and_a_random_suffix() -> None:
    first, second = Target.for_aws(), Target.for_aws()
    assert (first.mode, first.region, first.endpoint_url) == (AWS, "eu-west-1", None)
    assert first.suffix != second.suffix
    assert first.suffix.startswith("-")
    assert not first.registry_settings
    env = first.cli_environment
    assert env["AWS_REGION"] == "eu-west-1"
    assert "AWS_ENDPOINT_URL" not in env  # the CLI talks to the real endpoints
    assert env["AWS_ACCESS_KEY_ID"] == "sandbox-key"


@pytest.mark.usefixtures("aws_mode_against")
def test_sandbox_mode_deploys_registry_settings_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REGISTRY_VARIABLE, "1")
    assert Target.for_aws().registry_settings


@pytest.mark.usefixtures("aws_mode_against")
def test_sandbox_mode_needs_a_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    with pytest.raises(TargetError, match="AWS_REGION"):
        Target.for_aws()


def test_unknown_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODE_VARIABLE, "localstack")
    with pytest.raises(TargetError, match="'emulator'"):
        mode()
