"""RepositoryCatalog and CatalogStage: the catalog's repositories as our patterns, one stage per account and
region with its registry-level settings, no reference across stages, and compliance over every stage."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk.assertions import Template

from ecr_patterns.catalog import CatalogStage, RepositoryCatalog, catalog_stages, parse_catalog
from ecr_patterns.compliance import EcrCompliancePlugin
from ecr_patterns.core.errors import ValidationError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples/catalog/catalog.yaml"


def _repositories(stack: cdk.Stack) -> dict[str, Mapping[str, Any]]:
    found = Template.from_stack(stack).find_resources("AWS::ECR::Repository")
    return {r["Properties"]["RepositoryName"]: r for r in found.values()}


def test_each_entry_becomes_its_preset_with_its_settings() -> None:
    app = cdk.App()
    model = parse_catalog(
        json.dumps(
            {
                "teams": {"web": {"preset": "dev", "tags": {"team": "web"}}},
                "repositories": [
                    {"name": "web/app", "team": "web", "grants": {"accounts": ["222222222222"]}},
                    {"name": "core/api", "preset": "prod", "scan_on_push": False, "encryption": {"type": "AES256"}},
                    {
                        "name": "core/jobs",
                        "lifecycle": [{"keep_last": {"count": 7}}],
                        "grants": {"lambda": ["333333333333"]},
                    },
                ],
            }
        )
    )
    built = RepositoryCatalog(app, "Catalog", catalog=model)
    assert set(built.stacks) == {"Catalog-web", "Catalog-shared"}
    web = _repositories(built.stacks["Catalog-web"])["web/app"]
    assert web["Properties"]["ImageTagMutability"] == "MUTABLE"  # DevRepository
    assert web["DeletionPolicy"] == "Delete"
    assert {"Key": "team", "Value": "web"} in web["Properties"]["Tags"]
    assert "222222222222" in json.dumps(web["Properties"]["RepositoryPolicyText"])
    shared = _repositories(built.stacks["Catalog-shared"])
    api = shared["core/api"]
    assert api["DeletionPolicy"] == "Retain"  # ProdRepository
    assert api["Properties"]["ImageScanningConfiguration"] == {"ScanOnPush": False}
    assert api["Properties"]["EncryptionConfiguration"] == {"EncryptionType": "AES256"}
    jobs = json.loads(shared["core/jobs"]["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])
    assert [r["selection"]["countNumber"] for r in jobs["rules"]] == [7]
    assert "lambda.amazonaws.com" in json.dumps(shared["core/jobs"]["Properties"]["RepositoryPolicyText"])


def test_a_registry_key_entry_needs_a_key() -> None:
    model = parse_catalog("repositories: [{name: a/b, encryption: {key: registry}}]")
    with pytest.raises(ValidationError, match="registry_key"):
        RepositoryCatalog(cdk.App(), "Catalog", catalog=model)


def test_a_stage_per_account_and_region_with_its_registry_settings() -> None:
    app = cdk.App()
    eu = CatalogStage(app, "EuWest1", catalog=EXAMPLE, account="111111111111", region="eu-west-1")
    us = CatalogStage(app, "UsEast1", catalog=EXAMPLE, account="111111111111", region="us-east-1")
    assembly = app.synth()
    eu_stacks = {s.stack_name for s in assembly.get_nested_assembly(eu.artifact_id).stacks}
    us_stacks = {s.stack_name for s in assembly.get_nested_assembly(us.artifact_id).stacks}
    assert eu_stacks == {
        "EuWest1-Registry",
        "EuWest1-Repositories-payments",
        "EuWest1-Repositories-web",
        "EuWest1-Repositories-shared",
    }
    # Only payments/ledger names us-east-1; its key lives in that stage's own registry stack.
    assert us_stacks == {"UsEast1-Registry", "UsEast1-Repositories-payments"}
    registry = Template.from_stack(eu.node.find_child("Registry"))  # type: ignore[arg-type]
    registry.resource_count_is("AWS::KMS::Key", 1)
    registry.has_resource_properties(
        "AWS::ECR::ReplicationConfiguration",
        {
            "ReplicationConfiguration": {
                "Rules": [
                    {
                        "Destinations": [{"Region": "us-west-2", "RegistryId": "111111111111"}],
                        "RepositoryFilters": [{"Filter": "payments/api", "FilterType": "PREFIX_MATCH"}],
                    }
                ]
            }
        },
    )
    payments_stack = eu.node.find_child("Repositories-payments")
    assert isinstance(payments_stack, cdk.Stack)
    payments = _repositories(payments_stack)
    assert "Fn::ImportValue" in json.dumps(payments["payments/api"]["Properties"]["EncryptionConfiguration"])


def test_no_reference_crosses_a_stage() -> None:
    app = cdk.App()
    stages = [
        CatalogStage(app, name, catalog=EXAMPLE, account="111111111111", region=region)
        for name, region in (("EuWest1", "eu-west-1"), ("UsEast1", "us-east-1"))
    ]
    assembly = app.synth()
    for stage in stages:
        nested = assembly.get_nested_assembly(stage.artifact_id)
        exported = {
            output["Export"]["Name"]
            for stack in nested.stacks
            for output in (stack.template.get("Outputs") or {}).values()
            if "Export" in output
        }
        for stack in nested.stacks:
            for value in _values(stack.template, "Fn::ImportValue"):
                assert value in exported, (stack.stack_name, value)


def _values(node: Any, key: str) -> list[Any]:
    if isinstance(node, dict):
        return [v for k, v in node.items() if k == key] + [x for v in node.values() for x in _values(v, key)]
    if isinstance(node, list):
        return [x for v in node for x in _values(v, key)]
    return []


def test_compliance_runs_over_every_stage(tmp_path: Path) -> None:
    # A DevRepository (mutable tags by design) in each region: the plugin judges each stage's own template.
    model = parse_catalog(
        json.dumps(
            {
                "defaults": {"accounts": ["111111111111"], "preset": "dev"},
                "repositories": [
                    {"name": "dev/eu", "regions": ["eu-west-1"]},
                    {"name": "dev/us", "regions": ["us-east-1"]},
                ],
            }
        )
    )
    app = cdk.App(outdir=str(tmp_path))
    plugin = EcrCompliancePlugin()
    Validations.of(app).add_plugins(plugin)
    CatalogStage(app, "EuWest1", catalog=model, account="111111111111", region="eu-west-1")
    CatalogStage(app, "UsEast1", catalog=model, account="111111111111", region="us-east-1")
    app.synth()
    judged = sorted(
        Path(f.template_path or "").parent.name
        for f in plugin.last_findings
        if f.rule_id == "EcrPatterns-TagImmutability"
    )
    assert judged == ["assembly-EuWest1", "assembly-UsEast1"]


def test_catalog_stages_makes_one_stage_per_account_and_region() -> None:
    app = cdk.App()
    stages = catalog_stages(app, catalog=EXAMPLE)
    assert [s.node.id for s in stages] == [
        "Ecr-111111111111-eu-west-1",
        "Ecr-111111111111-us-east-1",
        "Ecr-222222222222-eu-west-1",
    ]
    assert [(s.account, s.region) for s in stages] == [
        ("111111111111", "eu-west-1"),
        ("111111111111", "us-east-1"),
        ("222222222222", "eu-west-1"),
    ]
