"""The package itself: typed, lazily re-exported, installable entry points."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import ecr_patterns
import ecr_patterns.lifecycle as lifecycle


def test_py_typed_ships_with_the_package() -> None:
    assert (Path(ecr_patterns.__file__).parent / "py.typed").is_file()


def test_console_script_points_at_the_cli() -> None:
    (script,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "ecr-patterns"]
    assert script.value == "ecr_patterns.tools.cli:main"


def test_importing_the_package_does_not_start_node() -> None:
    code = (
        "import sys, ecr_patterns, ecr_patterns.core.errors, ecr_patterns.core.defaults;"
        " print('aws_cdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_every_public_name_resolves() -> None:
    for name in ecr_patterns.__all__:
        assert getattr(ecr_patterns, name) is not None
    for name in lifecycle.__all__:
        assert getattr(lifecycle, name) is not None


def test_python_dash_m_runs_the_cli_like_the_console_script() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ecr_patterns.tools.cli", "--help"], capture_output=True, text=True, check=True
    )
    assert "Usage: ecr-patterns" in done.stdout
    assert {"adopt", "audit", "bootstrap", "catalog", "lifecycle"} <= set(done.stdout.split())


def test_no_module_of_the_cli_imports_aws_cdk() -> None:
    code = (
        "import importlib, pkgutil, sys, ecr_patterns.tools.cli as cli\n"
        "for m in pkgutil.iter_modules(cli.__path__, 'ecr_patterns.tools.cli.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('aws_cdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
