"""cdk-nag's AwsSolutions pack (a validation plugin), run from the scanners' environment, reports no
ECR errors on our patterns, and still reports what our acknowledgement must not hide."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.scanners.tools import ROOT, scanner

pytestmark = pytest.mark.slow


def nag(scenario: str, outdir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",  # Node 24 for jsii
        "PYTHONPATH": str(ROOT / "src"),
    }
    return subprocess.run(
        [scanner("python"), str(Path(__file__).with_name("nag_app.py")), scenario, str(outdir)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_patterns_and_their_grants_pass_aws_solutions(tmp_path: Path) -> None:
    done = nag("patterns", tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_statement_opened_after_the_organization_grant_is_not_hidden_from_cdk_nag(tmp_path: Path) -> None:
    done = nag("org_grant_then_opened", tmp_path)
    assert done.returncode != 0
    assert "AwsSolutions-ECR1" in done.stderr


def test_aws_solutions_does_flag_an_open_repository_without_our_acknowledgement(tmp_path: Path) -> None:
    done = nag("plain_with_org_condition", tmp_path)
    assert done.returncode != 0
    assert "AwsSolutions-ECR1" in done.stderr
