"""A broken promise inside a Stage fails `cdk synth` whatever the selection (the CLI shows only the selected
stacks' violations; the plugin adds one without resources, measured: exit 0 before it, 1 after)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

APP = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {src!r})
    import aws_cdk as cdk
    from ecr_patterns import ProdRepository
    app = cdk.App()
    cdk.Stack(app, "Top")
    ProdRepository(cdk.Stack(cdk.Stage(app, "Preview"), "S"), "Prod").apply_removal_policy(cdk.RemovalPolicy.DESTROY)
    app.synth()
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("selection", [[], ["Top"], ["Preview/*"]])
def test_a_destroyed_prod_repository_in_a_stage_fails_cdk_synth_whatever_is_selected(
    tmp_path: Path, run_cdk: Any, selection: list[str]
) -> None:
    src = str(Path(__file__).resolve().parents[2] / "src")
    (tmp_path / "app.py").write_text(APP.format(src=src), encoding="utf-8")
    done = run_cdk(["synth", "--quiet", "--app", f"{sys.executable} app.py", *selection], tmp_path)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "EcrPatterns-ProductionRetention" in done.stdout + done.stderr
    assert "Preview" in done.stdout + done.stderr
