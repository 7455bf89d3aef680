"""A catalog entry read into the repository model (``core.catalog.plan.settings_of``) says what its pattern deploys:
the same reading as the synthesized repository's template resource, for every entry of the example catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk.assertions import Template

from ecr_patterns.catalog import RepositoryCatalog, load_catalog, resolve
from ecr_patterns.core.catalog.plan import settings_of
from ecr_patterns.core.settings import RepositorySettings

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/catalog/catalog.yaml"
COMPARED = ("scan_on_push", "tag_mutability", "encryption_type", "deletion_policy", "update_replace_policy", "tags")


def _deployed() -> dict[str, RepositorySettings]:
    app = cdk.App()
    env = cdk.Environment(account="111111111111", region="eu-west-1")
    key = kms.Key(cdk.Stack(app, "Keys", env=env), "Registry", removal_policy=cdk.RemovalPolicy.RETAIN)
    built = RepositoryCatalog(app, "Catalog", catalog=load_catalog(EXAMPLE), registry_key=key, env=env)
    found: dict[str, RepositorySettings] = {}
    for stack in built.stacks.values():
        for resource in Template.from_stack(stack).find_resources("AWS::ECR::Repository").values():
            found[resource["Properties"]["RepositoryName"]] = RepositorySettings.from_template(resource)
    return found


def _statements(settings: RepositorySettings) -> list[tuple[Any, ...]]:
    """Each statement's effect, actions and condition keys (principals are rendered by CDK with tokens)."""
    policy = settings.repository_policy
    statements = policy.get("Statement", []) if isinstance(policy, dict) else []
    return sorted((s["Effect"], tuple(sorted(s["Action"])), tuple(sorted(s.get("Condition", {})))) for s in statements)


def test_every_entry_reads_as_its_synthesized_repository() -> None:
    deployed = _deployed()
    entries = resolve(load_catalog(EXAMPLE))
    assert {e.name for e in entries} == set(deployed)
    for entry in entries:
        read, synthesized = settings_of(entry), deployed[entry.name]
        assert read.source == "catalog"
        assert {a: getattr(read, a) for a in COMPARED} == {a: getattr(synthesized, a) for a in COMPARED}, entry.name
        assert json.loads(str(read.lifecycle_policy)) == json.loads(str(synthesized.lifecycle_policy)), entry.name
        assert read.is_production == synthesized.is_production, entry.name
        assert _statements(read) == _statements(synthesized), entry.name
