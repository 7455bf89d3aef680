"""Where the scanners live: an environment of their own (``make setup`` builds ``.tools/scanners``).

checkov pins boto3 and botocore to releases that predate ECR's archive fields, so none of the
scanners is installed in the project's environment (tools/scanners.txt says why).
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNERS = ROOT / ".tools" / "scanners" / "bin"


def scanner(name: str) -> str:
    """The path of a scanner's executable (``python`` for the environment's interpreter)."""
    exe = SCANNERS / name
    if not exe.exists():
        pytest.fail(f"{exe} is missing: run `make setup` (it builds the scanners' environment)")
    return str(exe)
