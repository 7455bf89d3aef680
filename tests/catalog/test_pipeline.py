"""The CDK Pipelines example (examples/catalog/pipeline_app.py), synthesized offline: a wave per region with a
CatalogStage per account, the compliance plugin over every stage, and the service-managed StackSet."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
from aws_cdk.assertions import Match, Template

from examples.catalog.pipeline_app import build_app


def test_the_pipeline_deploys_a_stage_per_account_and_region_in_waves_by_region(tmp_path: Path) -> None:
    app = build_app(cdk.App(outdir=str(tmp_path)))
    assembly = app.synth()  # the compliance plugin judges every stage; an error would raise here
    pipeline = assembly.get_stack_by_name("EcrCatalogPipeline").template
    stages = {
        s["Name"]: s
        for s in next(r for r in pipeline["Resources"].values() if r["Type"] == "AWS::CodePipeline::Pipeline")[
            "Properties"
        ]["Stages"]
    }
    # eu-west-1 has two accounts: one wave, its two stages side by side. us-east-1 has one: CDK Pipelines names a
    # one-stage wave after its stage.
    assert list(stages) == ["Source", "Build", "UpdatePipeline", "Region-eu-west-1", "Ecr-111111111111-us-east-1"]
    deploys = {a["Name"] for a in stages["Region-eu-west-1"]["Actions"]}
    assert "Ecr-111111111111-eu-west-1.Repositories-payments.Deploy" in deploys
    assert "Ecr-111111111111-eu-west-1.Registry.Deploy" in deploys
    assert "Ecr-222222222222-eu-west-1.Repositories-web.Deploy" in deploys
    nested = [a for a in assembly.artifacts if a.id.startswith("assembly-EcrCatalogPipeline-Ecr-")]
    assert sorted(a.id for a in nested) == [
        "assembly-EcrCatalogPipeline-Ecr-111111111111-eu-west-1",
        "assembly-EcrCatalogPipeline-Ecr-111111111111-us-east-1",
        "assembly-EcrCatalogPipeline-Ecr-222222222222-eu-west-1",
    ]


def test_the_stackset_alternative_is_service_managed_and_auto_deploys(tmp_path: Path) -> None:
    app = build_app(cdk.App(outdir=str(tmp_path)))
    stack = app.node.find_child("EcrCatalogPipeline")
    template = Template.from_stack(stack)  # type: ignore[arg-type]
    template.has_resource_properties(
        "AWS::CloudFormation::StackSet",
        {
            "PermissionModel": "SERVICE_MANAGED",
            "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
            "StackInstancesGroup": [
                Match.object_like({"DeploymentTargets": {"OrganizationalUnitIds": ["ou-abcd-11111111"]}})
            ],
        },
    )
    (stack_set,) = template.find_resources("AWS::CloudFormation::StackSet").values()
    body = json.loads(stack_set["Properties"]["TemplateBody"])
    assert [r["Type"] for r in body["Resources"].values()] == ["AWS::ECR::RegistryScanningConfiguration"]
