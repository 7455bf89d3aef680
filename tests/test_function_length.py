"""No function or method in ``src/ecr_patterns`` is longer than 80 lines, counted from its ``def`` line to its
last line (decorators excluded, so a click command's options do not count): a longer one does several things and
is split into named phases."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent / "src" / "ecr_patterns"
LIMIT = 80


def _too_long(path: Path, root: Path) -> list[str]:
    """``path:function (N lines)`` for every function or method in ``path`` longer than ``LIMIT`` lines."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno is not None:
            # lineno is the def line: decorators sit above it and are not counted.
            length = node.end_lineno - node.lineno + 1
            if length > LIMIT:
                found.append(f"{path.relative_to(root)}:{node.name} ({length} lines)")
    return found


def test_no_function_in_the_source_is_longer_than_80_lines() -> None:
    sources = sorted(SOURCE.rglob("*.py"))
    assert sources, f"no source found under {SOURCE}"
    too_long = [entry for path in sources for entry in _too_long(path, SOURCE.parent)]
    assert too_long == [], "functions longer than 80 lines: " + ", ".join(too_long)


def _function(header: str, lines: int, indent: str = "") -> str:
    """A decorated function of ``lines`` lines from its ``def`` line, as source indented by ``indent``."""
    body = [f"{indent}    x{i} = {i}\n" for i in range(lines - 2)]
    return f"{indent}@functools.cache\n{indent}{header}\n{''.join(body)}{indent}    return 0\n\n\n"


def test_the_check_catches_an_81_line_function_and_passes_an_80_line_one(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import functools\n\n\n"
        + _function("def long_one():", LIMIT + 1)
        + _function("async def long_async():", LIMIT + 1)
        + "class Holder:\n"
        + _function("def long_method(self):", LIMIT + 1, indent="    ")
        + _function("def fits():", LIMIT),
        encoding="utf-8",
    )
    assert sorted(_too_long(sample, tmp_path)) == [
        "sample.py:long_async (81 lines)",
        "sample.py:long_method (81 lines)",
        "sample.py:long_one (81 lines)",
    ]
