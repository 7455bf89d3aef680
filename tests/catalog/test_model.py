"""The catalog format: its published JSON Schema, team defaults and overrides, lifecycle helpers through our
validator, and every problem of a file reported at once with the file, the line, the key, the value and the fix."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from ecr_patterns.catalog import load_catalog, parse_catalog, resolve
from ecr_patterns.core.catalog.model import json_schema
from ecr_patterns.core.errors import ValidationError
from ecr_patterns.lifecycle import LifecyclePolicy

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples/catalog/catalog.yaml"
SCHEMA = ROOT / "schema/catalog.schema.json"
BAD = """\
version: 1
teams:
  web:
    lifecycle:
      - keep_lst: {count: 5}
repositories:
  - name: Web/Frontend
    team: web
  - name: ok/one
    team: nobody
    scan_on_pushh: true
  - name: ok/two
    accounts: ["123"]
    lifecycle:
      - keep_last: {count: 0}
"""


def test_the_committed_json_schema_is_the_models() -> None:
    assert json.loads(SCHEMA.read_text()) == json.loads(json.dumps(json_schema(), sort_keys=True))


def test_the_example_catalog_passes_the_published_schema_and_the_model() -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(data)
    assert len(load_catalog(EXAMPLE).repositories) == 5


def test_the_published_schema_rejects_an_unknown_key_as_the_model_does() -> None:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["repositories"][0]["tagz"] = {}
    with pytest.raises(jsonschema.ValidationError, match="tagz"):
        jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(data)
    with pytest.raises(ValidationError, match="tagz"):
        parse_catalog(json.dumps(data))


def test_every_problem_is_reported_at_once_with_file_line_key_value_and_fix() -> None:
    with pytest.raises(ValidationError) as err:
        parse_catalog(BAD, source="catalog.yaml")
    found = {(v.where, v.field): v for v in err.value.violations}
    assert set(found) == {
        ("catalog.yaml:4", "teams.web.lifecycle"),
        ("catalog.yaml:7", "repositories[0].name"),
        ("catalog.yaml:11", "repositories[1].scan_on_pushh"),
        ("catalog.yaml:14", "repositories[2].lifecycle"),
        ("catalog.yaml:13", "repositories[2].accounts[0]"),
        ("catalog.yaml:10", "repositories[1].team"),
    }
    assert "did you mean 'keep_last'?" in found[("catalog.yaml:4", "teams.web.lifecycle")].fix
    assert found[("catalog.yaml:7", "repositories[0].name")].value == "Web/Frontend"
    assert "did you mean 'scan_on_push'?" in found[("catalog.yaml:11", "repositories[1].scan_on_pushh")].fix
    assert "[lifecycle.count-number]" in found[("catalog.yaml:14", "repositories[2].lifecycle")].fix
    assert "12 digits" in found[("catalog.yaml:13", "repositories[2].accounts[0]")].fix
    assert "declared: web" in found[("catalog.yaml:10", "repositories[1].team")].fix
    assert {v.code for v in err.value.violations} == {"catalog.schema"}


def test_a_json_catalog_reports_lines_too() -> None:
    text = json.dumps({"repositories": [{"name": "ok/a"}, {"name": "BAD"}]}, indent=2)
    with pytest.raises(ValidationError) as err:
        parse_catalog(text, source="c.json")
    (violation,) = err.value.violations
    line = next(n for n, text_line in enumerate(text.splitlines(), start=1) if '"BAD"' in text_line)
    assert violation.where == f"c.json:{line}"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("repositories: [", "is not YAML or JSON"),
        ("- a\n- b\n", "a catalog is a mapping"),
        ("version: 2\nrepositories: []\n", "version"),
        ("repositories:\n  - name: a/b\n  - name: a/b\n", "declared twice"),
    ],
)
def test_bad_files_fail_with_one_error(text: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        parse_catalog(text)


def test_a_missing_file_is_a_catalog_file_error(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as err:
        load_catalog(tmp_path / "none.yaml")
    assert err.value.violations[0].code == "catalog.file"


def test_team_defaults_apply_and_a_repository_overrides_them_tags_merged() -> None:
    catalog = parse_catalog(
        """
defaults: {preset: secure, tags: {managed-by: platform, env: prod}}
teams:
  web: {preset: dev, scan_on_push: false, tags: {team: web, env: dev}}
repositories:
  - {name: web/a, team: web}
  - {name: web/b, team: web, preset: prod, tags: {env: staging}}
  - {name: other/c}
"""
    )
    a, b, c = resolve(catalog)
    assert (a.preset, a.scan_on_push, dict(a.tags)) == (
        "dev",
        False,
        {"managed-by": "platform", "env": "dev", "team": "web"},
    )
    assert (b.preset, b.scan_on_push, b.tags["env"]) == ("prod", False, "staging")
    assert (c.preset, c.scan_on_push, dict(c.tags)) == ("secure", None, {"managed-by": "platform", "env": "prod"})


def test_lifecycle_helpers_and_policy_json_become_one_validated_policy() -> None:
    policy = {
        "rules": [
            {
                "rulePriority": 9,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
                "action": {"type": "expire"},
            }
        ]
    }
    catalog = parse_catalog(
        json.dumps(
            {
                "repositories": [
                    {"name": "a/b", "lifecycle": [{"expire_untagged": {"days": 3}}, {"policy": policy}]},
                ]
            }
        )
    )
    (entry,) = resolve(catalog)
    rendered = LifecyclePolicy.from_rules(list(entry.lifecycle or ())).to_json()
    assert [r["selection"]["countType"] for r in rendered["rules"]] == ["sinceImagePushed", "imageCountMoreThan"]


def test_more_than_50_rules_are_refused_as_ecr_refuses_them() -> None:
    steps = [
        {"archive_images_pushed_more_than_days_ago": {"days": 10 + i, "tag_prefixes": [f"p{i}"]}} for i in range(51)
    ]
    with pytest.raises(ValidationError, match=r"lifecycle\.rule-count"):
        parse_catalog(json.dumps({"repositories": [{"name": "a/b", "lifecycle": steps}]}))


def test_a_helper_with_wrong_arguments_names_its_arguments() -> None:
    with pytest.raises(ValidationError, match="its arguments: count"):
        parse_catalog(json.dumps({"repositories": [{"name": "a/b", "lifecycle": [{"keep_last": {"days": 3}}]}]}))


def test_aes256_with_a_key_is_refused() -> None:
    with pytest.raises(ValidationError, match="AES256 takes no key"):
        parse_catalog(
            json.dumps({"repositories": [{"name": "a/b", "encryption": {"type": "AES256", "key": "registry"}}]})
        )
