"""Step ``pushed``: ``ecr-patterns audit`` run as a process against the deployed apps, with moto's request
recorder on the emulator's side proving that the audit made only read calls."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from integ.apps import common
from integ.conftest import Pushes
from integ.deployment import Deployment
from integ.emulator import Emulator
from integ.target import Target

SESSION_REGION = "eu-west-1"
"""The README's audit session runs in a region the deploy cycle does not use."""

READ_PREFIXES = ("Describe", "Get", "List", "BatchGet")
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _recorder(emulator: Emulator, action: str) -> bytes:
    method = "GET" if action == "download-recording" else "POST"
    request = urllib.request.Request(f"http://127.0.0.1:{emulator.port}/moto-api/recorder/{action}", method=method)
    with _NO_PROXY.open(request, timeout=30) as response:
        return bytes(response.read())


def _operations(recording: bytes) -> list[str]:
    """``service:Operation`` of every recorded JSON-protocol request (``X-Amz-Target``)."""
    found = []
    for line in recording.decode().splitlines():
        if not line.strip():
            continue
        headers = {k.lower(): v for k, v in json.loads(line)["headers"].items()}
        target = headers.get("x-amz-target", "")
        prefix, _, operation = target.partition(".")
        service = {"AmazonEC2ContainerRegistry_V20150921": "ecr", "TrentService": "kms"}.get(prefix, prefix or "?")
        found.append(f"{service}:{operation or headers.get('content-type', '?')}")
    return found


@pytest.fixture(scope="module")
def audited(pushed: Pushes, deployment: Deployment, target: Target, emulator: Emulator | None, workdir: Path) -> Any:
    """The audit's JSON report of the deployed repositories, and the operations the emulator recorded."""
    if emulator is not None:
        _recorder(emulator, "reset-recording")
        _recorder(emulator, "start-recording")
    out = workdir / "audit.json"
    command = [sys.executable, "-m", "ecr_patterns.tools.cli", "audit", "--region", target.region]
    command += ["--repository-prefix", common.REPOSITORY_PREFIX + "/", "--format", "json", "--output", str(out)]
    command += ["--fail-on", "error"]
    try:
        done = subprocess.run(command, env=dict(target.cli_environment), capture_output=True, text=True, timeout=300)
    finally:
        recording = b""
        if emulator is not None:
            _recorder(emulator, "stop-recording")
            recording = _recorder(emulator, "download-recording")
    assert out.is_file(), done.stderr
    return done, json.loads(out.read_text()), _operations(recording)


@pytest.mark.stage("pushed")
def test_the_audit_made_only_read_calls_as_the_emulator_saw_them(audited: Any, emulator: Emulator | None) -> None:
    if emulator is None:
        pytest.skip("moto's request recorder exists in the emulator only")
    _, _, operations = audited
    assert "ecr:DescribeRepositories" in operations
    assert "ecr:DescribeImages" in operations
    mutating = [op for op in operations if not op.split(":")[1].startswith(READ_PREFIXES)]
    assert mutating == []


@pytest.mark.stage("pushed")
def test_every_deployed_repository_is_audited(audited: Any, deployment: Deployment) -> None:
    _, report, _ = audited
    names = {r["name"] for r in report["repositories"]}
    for base in ("plain", "secure-defaults", "prod", "dev", "grants", "lifecycle"):
        assert deployment.repository_name(base) in names


@pytest.mark.stage("pushed")
def test_repositories_built_with_the_patterns_have_no_error_finding(audited: Any, deployment: Deployment) -> None:
    done, report, _ = audited
    patterns = {deployment.repository_name(b) for b in ("secure-defaults", "prod", "dev", "grants", "lifecycle")}
    errors = [
        (f["ruleId"], f["repository"], f["message"])
        for f in report["findings"]
        if f["level"] == "error" and f["repository"] in patterns
    ]
    assert errors == []
    # registry-level parts the emulator lacks are warnings, so the audit exits 0 at --fail-on error
    assert done.returncode == 0, done.stderr


@pytest.mark.stage("pushed")
def test_the_pushed_image_is_counted_where_it_was_pushed(audited: Any, pushed: Pushes) -> None:
    _, report, _ = audited
    by_name = {r["name"]: r for r in report["repositories"]}
    for name in pushed.digests:
        assert by_name[name]["images"] >= 1
        assert by_name[name]["storedBytes"] > 0


def test_the_readme_audit_session_is_what_the_command_prints(emulator: Emulator | None, target: Target) -> None:
    if emulator is None:
        pytest.skip("the README session is recorded against the emulator")
    from tests.audit.estate import seed_estate

    seed_estate(target.session, SESSION_REGION, endpoint_url=target.endpoint_url)
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- audit-session -->\n", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    command_line, rest = block.split("\n", 1)
    printed, exit_line = rest.rsplit("$ echo $?\n", 1)
    args = command_line.removeprefix("$ ecr-patterns ").split()
    env = {**target.cli_environment, "AWS_REGION": SESSION_REGION, "AWS_DEFAULT_REGION": SESSION_REGION}
    env.pop("FORCE_COLOR", None)  # any value forces rich's terminal styles (force-color.org); a reader has none
    done = subprocess.run(
        [sys.executable, "-m", "ecr_patterns.tools.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.stdout == printed
    assert str(done.returncode) == exit_line.strip()
