"""The Aspect judges what the plugin judges beyond a repository's own properties: registry policies, creation
templates' repository policies and auto-delete custom resources, through both ways of adding it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk.cx_api import SynthesisMessageLevel

from ecr_patterns.compliance import EcrCompliance

OPEN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage"}]}
ORG = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "ecr:BatchGetImage",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        }
    ],
}


def _registry_policy(stack: cdk.Stack, document: Mapping[str, object]) -> None:
    ecr.CfnRegistryPolicy(stack, "RegistryPolicy", policy_text=document)


def _creation_template(stack: cdk.Stack, document: Mapping[str, object]) -> None:
    ecr.CfnRepositoryCreationTemplate(
        stack,
        "Template",
        prefix="team",
        applied_for=["PULL_THROUGH_CACHE"],
        repository_policy=json.dumps(document),
    )


MAKERS: dict[str, Callable[[cdk.Stack, Mapping[str, object]], None]] = {
    "a registry policy": _registry_policy,
    "a creation template": _creation_template,
}


def _apply_to(app: cdk.App) -> None:
    EcrCompliance().apply_to(app)


ADD: dict[str, Callable[[cdk.App], None]] = {
    "apply_to": _apply_to,
    "Aspects.of": lambda app: cdk.Aspects.of(app).add(EcrCompliance(), priority=cdk.AspectPriority.READONLY),
}


def _errors(app: cdk.App) -> list[str]:
    stack = app.synth().get_stack_by_name("S")
    return [str(m.entry.data) for m in stack.messages if m.level == SynthesisMessageLevel.ERROR]


@pytest.mark.parametrize("how", sorted(ADD))
@pytest.mark.parametrize("what", sorted(MAKERS))
def test_an_open_policy_outside_a_repository_is_an_error_annotation(what: str, how: str) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    MAKERS[what](stack, OPEN)
    ADD[how](app)
    (error,) = _errors(app)
    assert error.startswith("[EcrPatterns-OpenAccess] statement 0 allows principal *")


@pytest.mark.parametrize("how", sorted(ADD))
@pytest.mark.parametrize("what", sorted(MAKERS))
def test_a_policy_restricted_to_the_organization_passes(what: str, how: str) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    MAKERS[what](stack, ORG)
    ADD[how](app)
    assert _errors(app) == []


@pytest.mark.parametrize("how", sorted(ADD))
def test_a_production_repository_emptied_by_auto_delete_is_an_error_annotation(how: str) -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    for name, auto_delete in (("Emptied", True), ("Kept", False)):
        repository = ecr.Repository(
            stack,
            name,
            image_scan_on_push=True,
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            encryption=ecr.RepositoryEncryption.KMS,
            auto_delete_images=auto_delete,
            removal_policy=cdk.RemovalPolicy.DESTROY if auto_delete else cdk.RemovalPolicy.RETAIN,
        )
        # aws-cdk refuses auto_delete_images without DESTROY: the L1 is retained afterwards, so that only the
        # custom resource, which empties the repository on a stack delete, breaks the promise.
        repository.node.default_child.apply_removal_policy(cdk.RemovalPolicy.RETAIN)  # type: ignore[union-attr]
        repository.add_lifecycle_rule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14))
        cdk.Tags.of(repository).add("environment", "production")
    ADD[how](app)
    errors = _errors(app)
    assert len(errors) == 1
    assert errors[0].startswith("[EcrPatterns-ProductionRetention]")
    assert "Emptied" not in errors[0]  # annotated on the repository itself, so the message does not repeat its id
    assert "a Custom::ECRAutoDeleteImages resource deletes every production image" in errors[0]
