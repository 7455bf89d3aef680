"""The plugin's advice for a failing repository inside a Stage names a `cdk synth` selector that matches it."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr

from ecr_patterns.compliance import EcrCompliancePlugin

NESTED_APP = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {src!r})
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr
    app = cdk.App()
    ecr.Repository(cdk.Stack(cdk.Stage(cdk.Stage(app, "Pipeline"), "Prod"), "S"), "Plain")
    app.synth()
    """
)


def _advised_selector(tmp_path: Path) -> str:
    app = cdk.App(outdir=str(tmp_path))
    cdk.Validations.of(app).add_plugins(EcrCompliancePlugin())
    ecr.Repository(cdk.Stack(cdk.Stage(cdk.Stage(app, "Pipeline"), "Prod"), "S"), "Plain")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text(encoding="utf-8"))
    (ours,) = [r for r in report["pluginReports"] if r["pluginName"] == "EcrPatterns"]
    (summary, *_) = [v for v in ours["violations"] if not v["violatingConstructs"]]
    description: str = summary["description"]
    assert "in Stage Pipeline/Prod fails" in description
    return description.rsplit("cdk synth '", 1)[1].split("'", 1)[0]


def test_the_advice_for_a_nested_stage_uses_the_stage_path_not_its_artifact_id(tmp_path: Path) -> None:
    assert _advised_selector(tmp_path) == "Pipeline/Prod/*"


@pytest.mark.slow
def test_the_advised_selector_selects_the_stages_stack_with_the_cdk_cli(tmp_path: Path, run_cdk: Any) -> None:
    selector = _advised_selector(tmp_path / "inproc")
    src = str(Path(__file__).resolve().parents[2] / "src")
    (tmp_path / "app.py").write_text(NESTED_APP.format(src=src), encoding="utf-8")
    done = run_cdk(["ls", "--app", f"{sys.executable} app.py", selector], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Pipeline/Prod/S" in done.stdout
    wrong = run_cdk(["ls", "--app", f"{sys.executable} app.py", "Pipeline-Prod/*"], tmp_path)
    assert "Pipeline/Prod/S" not in wrong.stdout  # the old advice matched nothing
