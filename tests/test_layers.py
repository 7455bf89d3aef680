"""The three layers, each a folder, each using only the layers below it (DEVELOPERS.md, "The design in one
picture"): ``core`` never imports ``aws_cdk``, ``jsii``, ``constructs`` or a higher layer; ``constructs`` never
imports ``tools``. Checked on the source's import statements, top-level and deferred alike."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "ecr_patterns"
CDK = ("aws_cdk", "jsii", "constructs", "cdk_nag")
FORBIDDEN = {
    # importlib would import by a name no import statement shows.
    "core": (
        *CDK,
        "importlib",
        "ecr_patterns.constructs",
        "ecr_patterns.tools",
        *[
            f"ecr_patterns.{t}"
            for t in ("lifecycle", "compliance", "registry", "catalog", "audit", "bootstrap", "grants", "staging")
        ],
    ),
    "constructs": ("ecr_patterns.tools", "ecr_patterns.audit", "ecr_patterns.bootstrap"),
}
"""What each layer may not import. The topic modules at the package root re-export across layers, so a layer
that imports them could reach upwards; only users and tests import them."""


def _imports(path: Path, package: str = "") -> list[tuple[int, str]]:
    """Every module ``path`` imports, by absolute name: ``import x``, ``from x import y`` and relative imports
    resolved against ``package`` (the file's own package)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found += [(node.lineno, module), *((node.lineno, f"{module}.{a.name}") for a in node.names)]
    return found


def _package_of(path: Path) -> str:
    return ".".join(("ecr_patterns", *path.parent.relative_to(SOURCE).parts))


def _violations(layer: str) -> list[str]:
    banned = FORBIDDEN[layer]
    return [
        f"{path.relative_to(SOURCE)}:{line} imports {name}"
        for path in sorted((SOURCE / layer).rglob("*.py"))
        for line, name in _imports(path, _package_of(path))
        if any(name == b or name.startswith(b + ".") for b in banned)
    ]


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_from_the_layers_above_it(layer: str) -> None:
    assert _violations(layer) == []


def test_the_root_holds_only_the_layers_and_re_export_modules() -> None:
    folders = sorted(p.name for p in SOURCE.iterdir() if p.is_dir() and not p.name.startswith("__"))
    assert folders == ["constructs", "core", "tools"]
    for module in SOURCE.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        allowed = {"lazy_exports"} if module.name == "_lazy.py" else set()
        assert set(defined) <= allowed, f"{module.name} defines {defined}: code belongs in a layer"


def test_the_check_sees_a_forbidden_import_deferred_relative_or_dynamic(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    from aws_cdk import aws_ecr\n"
        "from ..constructs.repository import SecureRepository\n"
        "from . import settings\n"
        "import importlib\n",
        encoding="utf-8",
    )
    assert sorted(_imports(sample, "ecr_patterns.core")) == [
        (2, "aws_cdk"),
        (2, "aws_cdk.aws_ecr"),
        (3, "ecr_patterns.constructs.repository"),
        (3, "ecr_patterns.constructs.repository.SecureRepository"),
        (4, "ecr_patterns.core"),
        (4, "ecr_patterns.core.settings"),
        (5, "importlib"),
    ]
