"""The public API: every package says what it exports (``__all__``), exports only what users call, and README
documents every name it exports."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src" / "ecr_patterns"
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCED = re.compile(r"^```[a-z]*\n(.*?)^```", flags=re.DOTALL | re.MULTILINE)

PACKAGES = sorted(
    [".".join(("ecr_patterns", *init.parent.relative_to(SOURCE).parts)) for init in SOURCE.rglob("__init__.py")]
    + [f"ecr_patterns.{module.stem}" for module in SOURCE.glob("[!_]*.py")]
)
"""Every package of the library and every topic module at its root (the re-exports users import), found on disk
(a new one is covered without editing this test)."""


def _code_in_readme() -> str:
    """What README shows as code: its fenced blocks and its inline code spans."""
    blocks = FENCED.findall(README)
    prose = FENCED.sub("", README)
    return "\n".join([*blocks, *re.findall(r"`([^`\n]+)`", prose)])


CODE = _code_in_readme()


def _exports(package: str) -> list[str]:
    names: list[str] = importlib.import_module(package).__all__
    return names


def test_the_packages_are_found() -> None:
    assert {"ecr_patterns", "ecr_patterns.tools.cli", "ecr_patterns.compliance", "ecr_patterns.core"} <= set(PACKAGES)
    assert {"ecr_patterns.lifecycle", "ecr_patterns.registry", "ecr_patterns.grants"} <= set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_declares_its_exports_and_each_resolves(package: str) -> None:
    module = importlib.import_module(package)
    assert isinstance(getattr(module, "__all__", None), list), f"{package} has no __all__"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"


@pytest.mark.parametrize("package", PACKAGES)
def test_readme_mentions_every_exported_name(package: str) -> None:
    missing = [name for name in _exports(package) if not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", CODE)]
    assert missing == [], f"README shows no code naming {package}'s {missing}"


INTERNALS = (
    "PRODUCTION_KEY",
    "SUPPRESSIONS_KEY",
    "MAX_POLICY_TEXT_LENGTH",
    "to_policy_rule",
    "as_template_resource",
    "judge_estate",
    "read_estate",
    "READ_ONLY_PREFIXES",
    "LiveRegistry",
    "LiveRepository",
    "SCHEMA_VERSION",
    "STANDARDS",
    "Standards",
    "VARIANT",
    "ISOLATED_PATTERN",
    "parse_template",
    "json_schema",
)
"""Names the library uses inside (importable from the modules that define them): no package exports them."""


def test_no_package_exports_an_internal() -> None:
    exported = {name: package for package in PACKAGES for name in _exports(package)}
    assert {name: exported[name] for name in INTERNALS if name in exported} == {}
