"""The example app (`cdk.json` runs it): every ecr-patterns pattern, environment-agnostic (the public
repository's stack names us-east-1 only), synthesizes offline with no AWS credentials."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aws_cdk import App, Environment, Validations

from ecr_patterns.compliance import EcrCompliancePlugin
from examples.patterns_stack import PatternsStack
from examples.public_stack import PublicStack
from examples.registry_stack import RegistryStack


def build_app(app: App) -> App:
    # A platform team's one line: every ECR repository in the app is checked at synth.
    Validations.of(app).add_plugins(EcrCompliancePlugin())
    PatternsStack(app, "EcrPatternsExample")
    RegistryStack(app, "EcrPatternsRegistryExample")
    PublicStack(app, "EcrPatternsPublicExample", env=Environment(region="us-east-1"))
    return app


if __name__ == "__main__":
    build_app(App()).synth()
