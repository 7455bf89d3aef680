"""Shared fixtures: a fresh App and Stack for every test."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

# jsii must use the virtualenv's Node 24 (the system Node 20 is end-of-life for jsii).
_venv_bin = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), ".venv", "bin")
if os.path.isdir(_venv_bin) and _venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _venv_bin + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")

import aws_cdk as cdk  # noqa: E402


@pytest.fixture
def app() -> cdk.App:
    return cdk.App()


@pytest.fixture
def stack(app: cdk.App) -> cdk.Stack:
    return cdk.Stack(app, "TestStack")


ROOT = Path(__file__).resolve().parent.parent
RunCdk = Callable[[list[str], Path], "subprocess.CompletedProcess[str]"]


@pytest.fixture
def run_cdk() -> RunCdk:
    """Run the project's CDK CLI (``node_modules/.bin/cdk ARGS --no-notices``) in a directory, offline:
    dummy credentials and a region so the SDK never probes the EC2 metadata address, no telemetry."""
    cdk_cli = ROOT / "node_modules" / ".bin" / "cdk"
    if not cdk_cli.exists():
        pytest.fail("the CDK CLI is not installed: run `make setup` (npm ci)")
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }

    def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(cdk_cli), *args, "--no-notices"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
        )

    return run
