"""``ecr-patterns catalog validate|plan|diff``: plain Python (no aws_cdk), exit codes 0/1/2, one line per problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from ecr_patterns.tools.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/catalog/catalog.yaml"


def _write(path: Path, repositories: list[dict[str, object]]) -> Path:
    path.write_text(json.dumps({"teams": {"a": {}, "b": {}}, "repositories": repositories}))
    return path


def test_validate_says_valid_and_counts() -> None:
    result = CliRunner().invoke(cli, ["catalog", "validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "valid, 5 repositories in 8 placements" in result.output


def test_validate_prints_every_problem_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("repositories:\n  - name: BAD\n  - name: ok/x\n    tagz: {}\n")
    result = CliRunner().invoke(cli, ["catalog", "validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: repositories[0].name='BAD'" in result.output
    assert f"{bad}:4: repositories[1].tagz" in result.output
    assert "Traceback" not in result.output


def test_plan_prints_each_stack_and_json_has_the_counts() -> None:
    result = CliRunner().invoke(cli, ["catalog", "plan", str(EXAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert (plan["repositories"], plan["placements"]) == (5, 8)
    stacks = {(s["environment"], s["stack"]): s["repositories"] for s in plan["stacks"]}
    assert stacks == {
        ("111111111111/eu-west-1", "Ecr-111111111111-eu-west-1/Repositories-payments"): 2,
        ("111111111111/eu-west-1", "Ecr-111111111111-eu-west-1/Repositories-shared"): 1,
        ("111111111111/eu-west-1", "Ecr-111111111111-eu-west-1/Repositories-web"): 2,
        ("222222222222/eu-west-1", "Ecr-222222222222-eu-west-1/Repositories-web"): 2,
        ("111111111111/us-east-1", "Ecr-111111111111-us-east-1/Repositories-payments"): 1,
    }


def test_diff_exits_1_when_a_retain_repository_changes_stack(tmp_path: Path) -> None:
    old = _write(
        tmp_path / "old.json", [{"name": "x/api", "team": "a"}, {"name": "x/dev", "team": "a", "preset": "dev"}]
    )
    moved = _write(
        tmp_path / "new.json", [{"name": "x/api", "team": "b"}, {"name": "x/dev", "team": "a", "preset": "dev"}]
    )
    result = CliRunner().invoke(cli, ["catalog", "diff", str(old), str(moved)])
    assert result.exit_code == 1
    assert "BLOCKING moved     x/api (*/*) Ecr-*-*/Repositories-a -> Ecr-*-*/Repositories-b" in result.output
    bare = CliRunner().invoke(cli, ["catalog", "diff", str(old), str(moved), "--stage-prefix", ""])
    assert "BLOCKING moved     x/api (*/*) Catalog-a -> Catalog-b" in bare.output
    added = _write(tmp_path / "added.json", [{"name": "x/api", "team": "a"}, {"name": "x/new", "team": "b"}])
    result = CliRunner().invoke(cli, ["catalog", "diff", str(old), str(added), "--json"])
    assert result.exit_code == 0, result.output
    assert {(c["kind"], c["repository"]) for c in json.loads(result.output)} == {
        ("created", "x/new"),
        ("deleted", "x/dev"),
    }


def test_the_catalog_commands_never_import_aws_cdk(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from ecr_patterns.tools.cli import main\n"
        f"rc = main(['catalog', 'plan', {str(EXAMPLE)!r}])\n"
        "print('aws_cdk' in sys.modules, rc)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False 0"


README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _block(marker: str) -> str:
    return README.split(f"<!-- {marker} -->\n```", 1)[1].split("\n", 1)[1].split("```", 1)[0]


def test_the_readme_catalog_is_the_example_file() -> None:
    assert _block("catalog-example") == EXAMPLE.read_text()


def test_the_readme_plan_is_what_the_command_prints() -> None:
    command, *shown = _block("catalog-plan").splitlines()
    assert command == "$ ecr-patterns catalog plan examples/catalog/catalog.yaml"
    result = CliRunner().invoke(cli, ["catalog", "plan", str(EXAMPLE)])
    assert result.output.splitlines() == shown


def test_the_readme_validation_errors_are_what_the_command_prints(tmp_path: Path) -> None:
    from tests.catalog.test_model import BAD

    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    result = CliRunner().invoke(cli, ["catalog", "validate", str(bad)])
    # The CLI's entry point prefixes the first line with "ecr-patterns: error: ", click's runner with "Error: ".
    printed = [p.removeprefix("Error: ") for p in result.output.replace(str(bad), "bad.yaml").splitlines()]
    block = README.split("$ ecr-patterns catalog validate bad.yaml\n", 1)[1].split("```", 1)[0]
    for line in block.splitlines():
        expected = line.removeprefix("ecr-patterns: error: ").split("...", 1)[0]
        assert any(p.startswith(expected) for p in printed), line
