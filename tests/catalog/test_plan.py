"""The shard plan: a repository's stack and logical id depend only on its own entry (adding, removing and
reordering others moves nothing, on a 1,000-entry catalog), CloudFormation's limits fail before synth naming the
shard and the count, the template size estimate matches synthesized templates, and the diff says what moves."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecr_patterns.catalog import RepositoryCatalog, diff_plans, parse_catalog, plan_catalog, resolve
from ecr_patterns.core.catalog.model import Catalog
from ecr_patterns.core.catalog.plan import construct_id
from ecr_patterns.core.errors import ValidationError

TEAMS = [f"team{i}" for i in range(8)]


def _entries(count: int, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        entry: dict[str, Any] = {"name": f"{rng.choice(TEAMS)}/service-{i}", "team": rng.choice(TEAMS)}
        kind = i % 6
        if kind == 1:
            entry["lifecycle"] = [{"expire_untagged": {"days": 7}}, {"keep_last": {"count": 50}}]
        elif kind == 2:
            entry["grants"] = {"accounts": ["222222222222", "333333333333"]}
        elif kind == 3:
            entry["grants"] = {"organization": "o-a1b2c3d4e5"}
            entry["preset"] = "prod"
        elif kind == 4:
            entry["tags"] = {"owner": "someone", "cost-center": "c-1"}
            entry["preset"] = "dev"
        elif kind == 5:
            entry["grants"] = {"lambda": ["444444444444"]}
            entry["scan_on_push"] = False
        out.append(entry)
    return out


def _catalog(entries: list[dict[str, Any]]) -> Catalog:
    return Catalog.model_validate({"teams": {t: {} for t in TEAMS}, "repositories": entries})


def _placements(entries: list[dict[str, Any]], **options: Any) -> dict[str, tuple[str, str]]:
    plan = plan_catalog(resolve(_catalog(entries)), **options)
    return {p.name: (p.stack_id, p.construct_id) for p in plan.placements}


@pytest.mark.parametrize("shard_by", ["team", "hash"])
def test_adding_removing_and_reordering_entries_moves_no_other_repository(shard_by: str) -> None:
    entries = _entries(1000)
    before = _placements(entries, shard_by=shard_by)
    changed = [*entries[:400], *entries[401:]]  # one removed
    changed.insert(123, {"name": "new/one", "team": "team3"})  # one added
    random.Random(9).shuffle(changed)  # every position changes
    after = _placements(changed, shard_by=shard_by)
    assert set(after) == (set(before) - {entries[400]["name"]}) | {"new/one"}
    assert {n: after[n] for n in before if n in after} == {n: before[n] for n in before if n in after}


@settings(max_examples=30, deadline=None)
@given(st.permutations(list(range(60))), st.sampled_from(["team", "hash"]))
def test_any_order_of_the_same_entries_gives_the_same_placements(order: list[int], shard_by: str) -> None:
    entries = _entries(60)
    assert _placements([entries[i] for i in order], shard_by=shard_by) == _placements(entries, shard_by=shard_by)


def test_the_synthesized_stacks_and_logical_ids_do_not_move_either(tmp_path: Path) -> None:
    # The same on CDK's output, for 1,000 entries: each repository's (stack, logical id) before and after.
    def synthesized(entries: list[dict[str, Any]], out: Path) -> dict[str, tuple[str, str]]:
        app = cdk.App(outdir=str(out))
        RepositoryCatalog(app, "Catalog", catalog=_catalog(entries))
        assembly = app.synth()
        found = {}
        for stack in assembly.stacks:
            for logical_id, resource in stack.template["Resources"].items():
                if resource["Type"] == "AWS::ECR::Repository":
                    found[resource["Properties"]["RepositoryName"]] = (stack.stack_name, logical_id)
        return found

    entries = _entries(1000)
    before = synthesized(entries, tmp_path / "before")
    changed = [*entries[:10], *entries[11:]]
    changed.append({"name": "new/one", "team": "team3"})
    changed.reverse()
    after = synthesized(changed, tmp_path / "after")
    assert len(before) == 1000
    assert {n: after[n] for n in before if n in after} == {n: before[n] for n in before if n in after}
    assert "new/one" in after
    assert entries[10]["name"] not in after


def test_construct_ids_never_collide_for_names_that_differ_only_in_separators() -> None:
    names = ["a-b/c", "a/b-c", "a_b/c", "a.b/c", "ab/c"]
    assert len({construct_id(n) for n in names}) == len(names)


def test_a_shard_over_500_resources_fails_naming_the_shard_and_the_count() -> None:
    entries = [{"name": f"big/r{i}", "team": "team1"} for i in range(500)]
    with pytest.raises(ValidationError) as err:
        plan_catalog(resolve(_catalog(entries)))
    (violation,) = err.value.violations
    assert (violation.code, violation.field, violation.value) == ("catalog.limit", "shard team1 (*/*)", "501 resources")
    plan_catalog(resolve(_catalog(entries[:499])))  # 499 + CDK's metadata resource: at the limit, fine


def test_a_smaller_limit_and_the_template_size_are_checked_too() -> None:
    entries = [
        {"name": f"big/r{i}", "team": "team1", "tags": {f"k{j}": "v" * 200 for j in range(40)}} for i in range(100)
    ]
    with pytest.raises(ValidationError) as err:
        plan_catalog(resolve(_catalog(entries)), max_resources_per_stack=50)
    size = err.value.violations[1].value
    assert [v.value for v in err.value.violations] == ["101 resources", size]
    assert isinstance(size, str)
    assert "bytes" in size


def test_the_size_estimate_is_within_3_percent_of_the_synthesized_templates(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    catalog = RepositoryCatalog(app, "Catalog", catalog=_catalog(_entries(600)))
    app.synth()
    for (env, stack), _ in catalog.plan.stacks.items():
        actual = (tmp_path / f"{stack}.template.json").stat().st_size
        estimate = catalog.plan.template_bytes((env, stack))
        assert abs(estimate - actual) / actual < 0.03, (stack, estimate, actual)


def test_the_diff_says_what_moves_what_is_created_deleted_orphaned_or_replaced() -> None:
    old = parse_catalog(
        json.dumps(
            {
                "teams": {"a": {}, "b": {}},
                "repositories": [
                    {"name": "x/moved", "team": "a"},
                    {"name": "x/dev-moved", "team": "a", "preset": "dev"},
                    {"name": "x/gone", "team": "a"},
                    {"name": "x/gone-dev", "team": "a", "preset": "dev"},
                    {"name": "x/rekeyed", "team": "a"},
                    {"name": "x/same", "team": "a"},
                ],
            }
        )
    )
    new = parse_catalog(
        json.dumps(
            {
                "teams": {"a": {}, "b": {}},
                "repositories": [
                    {"name": "x/same", "team": "a"},
                    {"name": "x/moved", "team": "b"},
                    {"name": "x/dev-moved", "team": "b", "preset": "dev"},
                    {"name": "x/rekeyed", "team": "a", "encryption": {"type": "AES256"}},
                    {"name": "x/new", "team": "b"},
                ],
            }
        )
    )
    changes = {c.name: c for c in diff_plans(plan_catalog(resolve(old)), plan_catalog(resolve(new)))}
    assert {n: (c.kind, c.blocking) for n, c in changes.items()} == {
        "x/moved": ("moved", True),
        "x/dev-moved": ("moved", False),
        "x/gone": ("orphaned", False),
        "x/gone-dev": ("deleted", False),
        "x/rekeyed": ("replaced", True),
        "x/new": ("created", False),
    }
    assert "cdk refactor" in changes["x/moved"].note
