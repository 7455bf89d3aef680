"""The example app synthesizes offline, environment-agnostic, with every pattern in it."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk.assertions import Template

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
    policies = [
        r["Properties"].get("RepositoryPolicyText") for r in template.find_resources("AWS::ECR::Repository").values()
    ]
    text = str(policies)
    assert "aws:PrincipalOrgID" in text
    assert "lambda.amazonaws.com" in text
