"""Users' type checkers see the public API's types, through the package and every topic module: a wrong call in a
user's app is a mypy error (the example app itself is type-checked by `make lint`: mypy's files include
``examples/``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent
APP = """
import aws_cdk as cdk
from ecr_patterns import ProdRepository, SecureRepository
from ecr_patterns.lifecycle import keep_last_n_images
from ecr_patterns.registry import RegistryKey
from ecr_patterns.compliance import suppress

stack = cdk.Stack(cdk.App(), "S")
key = RegistryKey(stack, "Key")
repo = SecureRepository(stack, "R", encryption_key=key, lifecycle_rules=[keep_last_n_images(5)])
ProdRepository(stack, "P", allow_destroy=False)
suppress(repo, "EcrPatterns-TagImmutability", "a reason long enough to be read")
"""
WRONG = {
    "a string for a boolean": ('SecureRepository(stack, "W", image_scan_on_push="yes")', "image_scan_on_push"),
    "a string for a count": ('keep_last_n_images("5")', "keep_last_n_images"),
    "an unknown keyword": ('ProdRepository(stack, "W", allow_destory=True)', "allow_destory"),
    "a number for a construct": ("RegistryKey(5, 'K')", "RegistryKey"),
}


def _mypy(tmp_path: Path, code: str) -> tuple[str, int]:
    app = tmp_path / "app.py"
    app.write_text(code, encoding="utf-8")
    out, _, status = api.run(["--strict", "--no-error-summary", "--cache-dir", str(ROOT / ".mypy_cache"), str(app)])
    return out, status


def test_a_correct_app_type_checks(tmp_path: Path) -> None:
    assert _mypy(tmp_path, APP) == ("", 0)


@pytest.mark.parametrize("case", sorted(WRONG))
def test_a_wrong_call_is_a_type_error(case: str, tmp_path: Path) -> None:
    line, named = WRONG[case]
    out, status = _mypy(tmp_path, APP + line + "\n")
    assert status == 1
    assert named in out or "arg-type" in out or "call-arg" in out, out
