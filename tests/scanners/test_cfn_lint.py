"""cfn-lint finds no errors in our patterns' templates nor in the example app."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import aws_cdk as cdk
import pytest

from examples.app import build_app
from tests.scanners.tools import scanner

pytestmark = pytest.mark.slow


def cfn_lint_errors(*templates: Path) -> list[dict[str, object]]:
    exe = scanner("cfn-lint")
    done = subprocess.run([exe, "--format", "json", *map(str, templates)], capture_output=True, text=True, timeout=300)
    findings = json.loads(done.stdout or "[]")
    return [f for f in findings if f["Level"] == "Error"]


def test_pattern_templates_have_no_cfn_lint_errors(pattern_templates: dict[str, Path]) -> None:
    assert cfn_lint_errors(*pattern_templates.values()) == []


def test_example_app_templates_have_no_cfn_lint_errors(tmp_path: Path) -> None:
    app = build_app(cdk.App(outdir=str(tmp_path)))
    app.synth()
    templates = sorted(tmp_path.glob("*.template.json"))
    assert templates
    assert cfn_lint_errors(*templates) == []


def test_cfn_lint_does_report_a_broken_template(tmp_path: Path) -> None:
    broken = tmp_path / "broken.template.json"
    broken.write_text(
        json.dumps(
            {"Resources": {"R": {"Type": "AWS::ECR::Repository", "Properties": {"ImageTagMutability": "SOMETIMES"}}}}
        )
    )
    assert cfn_lint_errors(broken)
