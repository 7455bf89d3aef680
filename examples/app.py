"""The example app (`cdk.json` runs it): every ecr-patterns pattern, environment-agnostic,
synthesizes offline with no AWS credentials."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aws_cdk import App

from examples.patterns_stack import PatternsStack


def build_app(app: App) -> App:
    PatternsStack(app, "EcrPatternsExample")
    return app


if __name__ == "__main__":
    build_app(App()).synth()
