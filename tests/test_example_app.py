"""The example app synthesizes offline, environment-agnostic, with every pattern in it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

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
        assert stack.environment.region == "unknown-region"


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
    ):
        assert registry.find_resources(f"AWS::ECR::{kind}"), kind
    policies = [
        r["Properties"].get("RepositoryPolicyText") for r in template.find_resources("AWS::ECR::Repository").values()
    ]
    text = str(policies)
    assert "aws:PrincipalOrgID" in text
    assert "lambda.amazonaws.com" in text


@pytest.mark.slow
def test_cdk_cli_synthesizes_the_example_app_offline(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    cdk_cli = root / "node_modules" / ".bin" / "cdk"
    if not cdk_cli.exists():
        pytest.fail("the CDK CLI is not installed: run `make setup` (npm ci)")
    env = {
        **os.environ,
        "PATH": f"{root / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "CDK_DISABLE_CLI_TELEMETRY": "true",
        # Dummy credentials: the SDK must never probe the EC2 metadata address.
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    out = tmp_path / "cdk.out"
    result = subprocess.run(
        [str(cdk_cli), "synth", "--no-notices", "--quiet", "--output", str(out)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    templates = sorted(p.name for p in out.glob("*.template.json"))
    assert "EcrPatternsExample.template.json" in templates
    manifest = json.loads((out / "manifest.json").read_text())
    stacks = [a for a in manifest["artifacts"].values() if a["type"] == "aws:cloudformation:stack"]
    assert stacks
    assert {a["environment"] for a in stacks} == {"aws://unknown-account/unknown-region"}


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
