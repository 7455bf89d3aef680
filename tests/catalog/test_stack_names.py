"""`catalog plan` names each stack as the CDK CLI lists what `catalog_stages()` synthesizes."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ecr_patterns.tools.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "catalog" / "catalog.yaml"
APP = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {src!r})
    import aws_cdk as cdk
    from ecr_patterns.catalog import catalog_stages
    app = cdk.App()
    catalog_stages(app, catalog={catalog!r})
    app.synth()
    """
)


@pytest.mark.slow
def test_every_stack_the_plan_names_is_one_cdk_ls_lists(tmp_path: Path, run_cdk: Any) -> None:
    plan = json.loads(CliRunner().invoke(cli, ["catalog", "plan", str(EXAMPLE), "--json"]).output)
    named = {s["stack"] for s in plan["stacks"]}
    src = str(Path(__file__).resolve().parents[2] / "src")
    (tmp_path / "app.py").write_text(APP.format(src=src, catalog=str(EXAMPLE)), encoding="utf-8")
    done = run_cdk(["ls", "--app", f"{sys.executable} app.py"], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    listed = {line.split(" ")[0] for line in done.stdout.splitlines() if line.strip()}
    assert named <= listed, (named, listed)
    # The rest of what synth creates is each Stage's registry stack, which holds no repository.
    assert {s.rsplit("/", 1)[1] for s in listed - named} <= {"Registry"}
