"""The example app synthesizes offline, environment-agnostic, with every pattern in it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Match, Template

from examples.app import build_app


def test_example_app_synthesizes_environment_agnostic_stacks() -> None:
    app = build_app(cdk.App())
    assembly = app.synth()
    assert assembly.stacks
    for stack in assembly.stacks:
        assert stack.environment.account == "unknown-account"
        # ECR Public exists in us-east-1 only: that stack names its region, nothing else.
        expected = "us-east-1" if stack.stack_name == "EcrPatternsPublicExample" else "unknown-region"
        assert stack.environment.region == expected


def test_example_app_shows_every_repository_pattern() -> None:
    app = build_app(cdk.App())
    stack = app.node.find_child("EcrPatternsExample")
    template = Template.from_stack(stack)  # type: ignore[arg-type]
    assert len(template.find_resources("AWS::ECR::Repository")) == 5
    registry = Template.from_stack(app.node.find_child("EcrPatternsRegistryExample"))  # type: ignore[arg-type]
    for kind in (
        "ReplicationConfiguration",
        "PullThroughCacheRule",
        "RegistryScanningConfiguration",
        "RepositoryCreationTemplate",
        "RegistryPolicy",
        "SigningConfiguration",
    ):
        assert registry.find_resources(f"AWS::ECR::{kind}"), kind
    assert registry.find_resources("AWS::KMS::Key")
    public = Template.from_stack(app.node.find_child("EcrPatternsPublicExample"))  # type: ignore[arg-type]
    assert public.find_resources("AWS::ECR::PublicRepository")
    policies = [
        r["Properties"].get("RepositoryPolicyText") for r in template.find_resources("AWS::ECR::Repository").values()
    ]
    text = str(policies)
    assert "aws:PrincipalOrgID" in text
    assert "lambda.amazonaws.com" in text


@pytest.mark.slow
def test_cdk_cli_synthesizes_the_example_app_offline(tmp_path: Path, run_cdk: Any) -> None:
    out = tmp_path / "cdk.out"
    result = run_cdk(["synth", "--quiet", "--output", str(out)], Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr[-3000:]
    templates = sorted(p.name for p in out.glob("*.template.json"))
    assert "EcrPatternsExample.template.json" in templates
    manifest = json.loads((out / "manifest.json").read_text())
    stacks = [a for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
    assert stacks
    assert {a["environment"] for a in stacks} == {
        "aws://unknown-account/unknown-region",
        "aws://unknown-account/us-east-1",
    }
    # Exactly the three deliberate warnings README explains, and no unconfigured feature flag.
    output = result.stdout + result.stderr
    assert "feature flags are not configured" not in output
    plugin = sorted(re.findall(r"\[Warning EcrPatterns::(EcrPatterns-[A-Za-z]+)\] (\w+?)[0-9A-F]{8} ", output))
    assert plugin == [("EcrPatterns-TagImmutability", "Dev"), ("EcrPatterns-TagImmutability", "Plain")]
    construct = re.findall(r"Acknowledge with 'EcrPatternsGuarantees::(EcrPatterns-\w+)'", output)
    assert construct == ["EcrPatterns-TagImmutability"]
    assert "EcrPatternsExample/Custom" in output


def test_example_app_passes_its_own_compliance_plugin_with_documented_suppressions() -> None:
    app = build_app(cdk.App())
    app.synth()  # the plugin fails synth on any unsuppressed error
    stack = app.node.find_child("EcrPatternsExample")
    plain = Template.from_stack(stack).find_resources(  # type: ignore[arg-type]
        "AWS::ECR::Repository",
        {
            "Metadata": {
                "ecr-patterns:suppressions": Match.array_with([Match.object_like({"id": "EcrPatterns-ScanOnPush"})])
            }
        },
    )
    assert len(plain) == 1


def test_example_app_really_runs_the_compliance_plugin() -> None:
    app = build_app(cdk.App())
    ecr.Repository(cdk.Stack(app, "Unchecked"), "Plain")
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
