"""A public repository in the Amazon ECR Public Gallery. ECR Public exists in us-east-1 only, so this stack
names its region (its account stays unknown: the app still synthesizes offline)."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from ecr_patterns import SecurePublicRepository

PUBLISHER_ACCOUNT = "555555555555"


class PublicStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        SecurePublicRepository(
            self,
            "Cli",
            repository_name="ecr-patterns/cli",
            description="The ecr-patterns command line: validate, preview and audit ECR lifecycle policies.",
            about_text="# ecr-patterns CLI\nAudits ECR repositories with the same rules as synth.",
            usage_text="`docker run public.ecr.aws/<alias>/ecr-patterns/cli audit --region eu-west-1`",
            architectures=["x86-64", "ARM 64"],
            operating_systems=["Linux"],
            tags={"team": "platform", "cost-center": "tools"},
            # Only the release account may push; everyone may pull.
            push_principals=[iam.AccountPrincipal(PUBLISHER_ACCOUNT)],
        )
