"""A CDK Pipelines app that delivers a repository catalog to every account and region it names.

- One ``CatalogStage`` per account and region (its shard stacks and its registry stack), grouped in waves by
  region: the stages of a wave deploy in parallel, the waves one after another. No reference crosses a stage.
- The compliance plugin judges every stage's templates at synth (``cdk synth`` fails on an error).
- Settings every account of the organization must have, whether or not the catalog names it, go through a
  service-managed StackSet instead (CloudFormation deploys them to each account of the organizational units,
  and to accounts that join later: ``AutoDeployment``).

``cdk synth -a "python examples/catalog/pipeline_app.py"`` works offline; ``tests/catalog/test_pipeline.py``
synthesizes it.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import aws_cdk as cdk
from aws_cdk import Validations, pipelines
from constructs import Construct

from ecr_patterns.catalog import CatalogStage, load_catalog, plan_catalog, resolve
from ecr_patterns.compliance import EcrCompliancePlugin
from ecr_patterns.registry import RegistryScanning, ScanFrequency, ScanRule, ScanType

CATALOG = Path(__file__).resolve().parent / "catalog.yaml"
TOOLING = cdk.Environment(account="999999999999", region="eu-west-1")
CONNECTION = "arn:aws:codeconnections:eu-west-1:999999999999:connection/00000000-0000-0000-0000-000000000000"
ORGANIZATIONAL_UNITS = ["ou-abcd-11111111"]


def environments(catalog: Any) -> dict[str, list[str]]:
    """Region -> the accounts the catalog deploys to there (environment-agnostic entries are not delivered)."""
    by_region: defaultdict[str, set[str]] = defaultdict(set)
    for placement in plan_catalog(resolve(catalog)).placements:
        if placement.account != "*" and placement.region != "*":
            by_region[placement.region].add(placement.account)
    return {region: sorted(accounts) for region, accounts in sorted(by_region.items())}


def scanning_template() -> str:
    """The template the StackSet deploys: enhanced scanning of every repository, from our construct."""
    app = cdk.App()
    stack = cdk.Stack(app, "OrganizationScanning", synthesizer=cdk.LegacyStackSynthesizer())
    RegistryScanning(
        stack, "Scanning", scan_type=ScanType.ENHANCED, rules=[ScanRule(ScanFrequency.SCAN_ON_PUSH, ["*"])]
    )
    import json

    return json.dumps(app.synth().get_stack_by_name("OrganizationScanning").template)


class CatalogPipeline(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, env=TOOLING, **kwargs)
        catalog = load_catalog(CATALOG)
        pipeline = pipelines.CodePipeline(
            self,
            "Pipeline",
            cross_account_keys=True,  # stages deploy to other accounts
            synth=pipelines.ShellStep(
                "Synth",
                input=pipelines.CodePipelineSource.connection(
                    "example/platform-ecr", "main", connection_arn=CONNECTION
                ),
                commands=["pip install -e '.[catalog]'", "npx cdk synth -a 'python examples/catalog/pipeline_app.py'"],
            ),
        )
        for region, accounts in environments(catalog).items():
            wave = pipeline.add_wave(f"Region-{region}")
            for account in accounts:
                wave.add_stage(
                    CatalogStage(self, f"Ecr-{account}-{region}", catalog=catalog, account=account, region=region)
                )
        # The service-managed StackSet alternative, for what every account of the organization must have.
        cdk.CfnStackSet(
            self,
            "OrganizationScanning",
            stack_set_name="ecr-patterns-organization-scanning",
            permission_model="SERVICE_MANAGED",
            auto_deployment=cdk.CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=False
            ),
            capabilities=["CAPABILITY_IAM"],
            template_body=scanning_template(),
            stack_instances_group=[
                cdk.CfnStackSet.StackInstancesProperty(
                    deployment_targets=cdk.CfnStackSet.DeploymentTargetsProperty(
                        organizational_unit_ids=ORGANIZATIONAL_UNITS
                    ),
                    regions=sorted(environments(catalog)),
                )
            ],
        )


def build_app(app: cdk.App) -> cdk.App:
    Validations.of(app).add_plugins(EcrCompliancePlugin())
    CatalogPipeline(app, "EcrCatalogPipeline")
    return app


if __name__ == "__main__":
    build_app(cdk.App()).synth()
