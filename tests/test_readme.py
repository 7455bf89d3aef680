"""README that runs: every Python block is a complete program and runs; the error code table is complete;
cdk.json carries the pinned aws-cdk-lib's recommended feature flags."""

from __future__ import annotations

import json
import re
import tarfile
from pathlib import Path
from typing import Any

import aws_cdk
import pytest

from ecr_patterns.core.errors import CODE_DESCRIPTIONS, Code

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```python\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)


def _heading_of(block: str) -> str:
    before = README[: README.index(block)]
    headings: list[str] = re.findall(r"^#+ (.*)$", before, flags=re.MULTILINE)
    return headings[-1]


def test_readme_has_python_blocks() -> None:
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize("block", BLOCKS, ids=[f"{i}-{_heading_of(b)[:40]}" for i, b in enumerate(BLOCKS)])
def test_every_python_block_in_readme_runs_as_written(block: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run from the repository root, as a reader would, in a fresh namespace: no import or variable
    # comes from anywhere but the block itself.
    monkeypatch.chdir(ROOT)
    namespace: dict[str, Any] = {"__name__": "__readme__"}
    exec(compile(block, "README.md", "exec"), namespace)


def test_the_error_code_table_lists_exactly_the_codes_the_library_defines() -> None:
    section = README.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z.-]+)` \| (.*) \|$", section, flags=re.MULTILINE))
    assert rows == {code.value: CODE_DESCRIPTIONS[code] for code in Code}


def test_every_code_has_a_description() -> None:
    assert set(CODE_DESCRIPTIONS) == set(Code)


def _recommended_flags() -> dict[str, Any]:
    """The pinned aws-cdk-lib's recommended-feature-flags.json, read from the package jsii loads."""
    bundle = next((Path(aws_cdk.__file__).parent / "_jsii").glob("aws-cdk-lib@*.jsii.tgz"))
    with tarfile.open(bundle) as archive:
        member = archive.extractfile("package/recommended-feature-flags.json")
        assert member is not None
        flags: dict[str, Any] = json.load(member)
    return flags


def test_cdk_json_carries_every_recommended_feature_flag_of_the_pinned_aws_cdk_lib() -> None:
    context = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))["context"]
    recommended = _recommended_flags()
    assert len(recommended) > 50
    assert {k: context.get(k) for k in recommended} == recommended


def _console_session() -> list[tuple[str, str]]:
    block = README.split("An example session with the files in `examples/lifecycle/`", 1)[1]
    block = block.split("```console\n", 1)[1].split("\n```", 1)[0]
    steps: list[tuple[str, str]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], ""))
        else:
            command, output = steps[-1]
            steps[-1] = (command, output + line + "\n")
    return steps


@pytest.fixture(scope="module")
def example_assembly(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from aws_cdk import App

    from examples.app import build_app

    out = tmp_path_factory.mktemp("cdk.out")
    build_app(App(outdir=str(out))).synth()
    return out


@pytest.mark.parametrize(("command", "expected"), _console_session(), ids=[c for c, _ in _console_session()])
def test_the_readme_cli_session_prints_what_readme_shows(command: str, expected: str, example_assembly: Path) -> None:
    import shlex
    import subprocess
    import sys

    args = shlex.split(command)
    assert args[0] == "ecr-patterns"
    real = [a.replace("cdk.out/", f"{example_assembly}/") for a in args[1:]]
    done = subprocess.run(
        [sys.executable, "-m", "ecr_patterns.tools.cli", *real], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    output = (done.stdout + done.stderr).replace(f"{example_assembly}/manifest.json", "cdk.out/manifest.json")
    assert output.rstrip("\n") == expected.rstrip("\n")
