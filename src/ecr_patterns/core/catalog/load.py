"""Read a catalog file (YAML or JSON) and report every problem at once with its file, line, key, value and fix."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from ecr_patterns.core.errors import Code, ValidationError, Violation
from ecr_patterns.core.files import TextFileError, read_text


def load_catalog(path: str | Path) -> Any:
    """The validated :class:`~ecr_patterns.core.catalog.model.Catalog` of a YAML or JSON file.

    :raises ValidationError: every problem, each ``where`` = ``file:line``, ``field`` = the key path, the value
        received and the fix (pydantic's message, or our lifecycle validator's).
    """
    path = Path(path)
    try:
        text = read_text(path)
    except TextFileError as err:
        raise ValidationError.single("file", str(path), str(err), code=Code.CATALOG_FILE) from None
    return parse_catalog(text, source=str(path))


def parse_catalog(text: str, *, source: str = "catalog") -> Any:
    """The validated catalog of YAML or JSON text (JSON is read as YAML, which it is a subset of here)."""
    from pydantic import ValidationError as PydanticError

    from ecr_patterns.core.catalog.model import Catalog

    try:
        # libyaml's loader when PyYAML has it (ten times faster); the node tree, for line numbers, only on error.
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise ValidationError.single(
            "file", source, f"is not YAML or JSON: {getattr(err, 'problem', err)}", code=Code.CATALOG_FILE, where=where
        ) from None
    if not isinstance(data, dict):
        raise ValidationError.single(
            "file",
            type(data).__name__,
            "a catalog is a mapping with 'repositories'",
            code=Code.CATALOG_SCHEMA,
            where=source,
        )
    try:
        return Catalog.model_validate(data)
    except PydanticError as err:
        root = yaml.compose(text, Loader=_LOADER)
        violations = []
        for error in err.errors(include_url=False):
            loc: Sequence[Any] = error["loc"]
            line = _line(root, loc)
            field = _dotted(loc) or "(catalog)"
            message = error["msg"].removeprefix("Value error, ")
            violations.append(
                Violation(
                    field,
                    error.get("input") if not isinstance(error.get("input"), dict | list) else _short(error["input"]),
                    _fix(error["type"], message, loc[-1] if loc else None, loc[-2] if len(loc) > 1 else None),
                    f"{source}:{line}" if line else source,
                    code=Code.CATALOG_SCHEMA,
                )
            )
        violations.extend(_cross_checks(root, data, source))
        raise ValidationError(violations, context=source) from None


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _cross_checks(root: yaml.Node | None, data: dict[str, Any], source: str) -> list[Violation]:
    """The catalog-wide checks (a team that is not declared, a name declared twice), run on the raw data when the
    schema failed too, so one run reports them with the rest."""
    raw_teams, raw_repositories = data.get("teams"), data.get("repositories")
    teams: dict[str, Any] = raw_teams if isinstance(raw_teams, dict) else {}
    repositories: list[Any] = raw_repositories if isinstance(raw_repositories, list) else []
    found, seen = [], set()
    for index, entry in enumerate(repositories):
        if not isinstance(entry, dict):
            continue
        name, team = entry.get("name"), entry.get("team")
        if isinstance(team, str) and team not in teams:
            line = _line(root, ["repositories", index, "team"])
            known = ", ".join(sorted(teams)) or "none"
            found.append(
                Violation(
                    f"repositories[{index}].team",
                    team,
                    f"is not under teams (declared: {known})",
                    f"{source}:{line}",
                    code=Code.CATALOG_SCHEMA,
                )
            )
        if isinstance(name, str) and name in seen:
            line = _line(root, ["repositories", index, "name"])
            found.append(
                Violation(
                    f"repositories[{index}].name",
                    name,
                    "is declared twice: once each",
                    f"{source}:{line}",
                    code=Code.CATALOG_SCHEMA,
                )
            )
        seen.add(name)
    return found


def _dotted(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "function-before") or str(part).startswith(("literal[", "str-constrained")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _line(root: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The 1-based line of the deepest node ``loc`` reaches in the composed document."""
    node = root
    line = root.start_mark.line + 1 if root is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            key = next((k for k, _ in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(part)), None)
            if found is None:
                break
            line = (key or found).start_mark.line + 1
            node = found
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_FIXES = {
    "extra_forbidden": "remove it: the catalog schema has no such key (see schema/catalog.schema.json)",
    "missing": "add it: it is required",
}


_ACCOUNT_FIX = "an AWS account id is 12 digits, as a string: '123456789012'"
_REGION_FIX = "a region name such as 'eu-west-1'"
_PATTERN_FIXES = {
    "name": "a repository name: lowercase letters and digits, . _ - between them, / between parts",
    "team": "lowercase letters, digits and dashes, at most 40",
    "accounts": _ACCOUNT_FIX,
    "lambda": _ACCOUNT_FIX,
    "regions": _REGION_FIX,
    "region": _REGION_FIX,
    "organization": "an organization id such as 'o-a1b2c3d4e5'",
    "key": "'aws/ecr', 'registry' or a KMS key ARN",
}


def _fix(kind: str, message: str, key: object = None, parent: object = None) -> str:
    if kind == "string_pattern_mismatch":
        return _PATTERN_FIXES.get(str(parent if isinstance(key, int) else key), message)
    hint = _FIXES.get(kind)
    if kind == "extra_forbidden" and isinstance(key, str):
        close = difflib.get_close_matches(key, sorted(_known_keys()), n=1)
        if close:
            hint = f"did you mean {close[0]!r}? {hint}"
    return f"{message}: {hint}" if hint else message


def _known_keys() -> set[str]:
    from ecr_patterns.core.catalog.model import Catalog, Destination, Encryption, Grants, Repository

    keys: set[str] = set()
    for model in (Catalog, Repository, Encryption, Grants, Destination):
        for name, info in model.model_fields.items():
            keys.add(info.alias or name)
    return keys
