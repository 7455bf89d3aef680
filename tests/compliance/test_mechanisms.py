"""The plugin and the Aspect on an app mixing L1, plain L2 and our patterns, in nested stacks and stages."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Annotations, Match

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, ValidationError
from ecr_patterns.compliance import EcrCompliance, EcrCompliancePlugin, add_compliance_everywhere, suppress


def build(app: cdk.App) -> dict[str, cdk.Stack]:
    main = cdk.Stack(app, "Main")
    SecureRepository(main, "Secure")
    ProdRepository(main, "Prod")
    DevRepository(main, "Dev")
    ecr.Repository(main, "PlainL2")
    ecr.CfnRepository(
        main,
        "L1",
        image_scanning_configuration=ecr.CfnRepository.ImageScanningConfigurationProperty(scan_on_push=True),
        image_tag_mutability="IMMUTABLE",
        encryption_configuration=ecr.CfnRepository.EncryptionConfigurationProperty(encryption_type="KMS"),
    )
    nested = cdk.NestedStack(main, "Nested")
    ecr.Repository(nested, "InNested", image_scan_on_push=True)
    stage = cdk.Stage(app, "Stage")
    staged = cdk.Stack(stage, "Staged")
    ProdRepository(staged, "StagedProd", removal_policy=cdk.RemovalPolicy.DESTROY, allow_destroy=True)
    return {"main": main, "nested": nested, "staged": staged}


EXPECTED_ERRORS = {
    ("PlainL2", "EcrPatterns-ScanOnPush"),
    ("PlainL2", "EcrPatterns-Encryption"),
    ("PlainL2", "EcrPatterns-LifecyclePolicy"),
    ("L1", "EcrPatterns-LifecyclePolicy"),
    ("InNested", "EcrPatterns-Encryption"),
    ("InNested", "EcrPatterns-LifecyclePolicy"),
    ("StagedProd", "EcrPatterns-ProductionRetention"),
}
EXPECTED_WARNINGS = {
    ("Dev", "EcrPatterns-TagImmutability"),
    ("PlainL2", "EcrPatterns-TagImmutability"),
    ("InNested", "EcrPatterns-TagImmutability"),
}


def short(logical_id: str) -> str:
    return next(
        name
        for name in ("PlainL2", "L1", "InNested", "StagedProd", "Secure", "Prod", "Dev")
        if logical_id.startswith(name)
    )


def construct_name(path: str) -> str:
    parts = path.split("/")
    return parts[-2] if parts[-1] == "Resource" else parts[-1]


def plugin_app() -> tuple[cdk.App, EcrCompliancePlugin, dict[str, cdk.Stack]]:
    app = cdk.App()
    plugin = EcrCompliancePlugin()
    Validations.of(app).add_plugins(plugin)
    return app, plugin, build(app)


def test_plugin_finds_every_violation_in_stacks_nested_stacks_and_stages() -> None:
    app, plugin, _ = plugin_app()
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    found = {(short(f.logical_id), f.rule_id, f.level.value) for f in plugin.last_findings}
    assert {(r, i) for r, i, level in found if level == "error"} == EXPECTED_ERRORS
    assert {(r, i) for r, i, level in found if level == "warning"} == EXPECTED_WARNINGS
    templates = {f.template_path.rsplit("/", 1)[-1] for f in plugin.last_findings if f.template_path}
    assert any(t.endswith(".nested.template.json") for t in templates)
    assert "StageStaged0C4A6A03.template.json" in templates or any(t.startswith("Stage") for t in templates)


def test_plugin_passes_when_findings_are_suppressed_or_acknowledged() -> None:
    app, plugin, stacks = plugin_app()
    main, nested, staged = stacks["main"], stacks["nested"], stacks["staged"]
    for rule in ("EcrPatterns-ScanOnPush", "EcrPatterns-Encryption", "EcrPatterns-LifecyclePolicy"):
        suppress(main.node.find_child("PlainL2"), rule, "legacy repository, migrated next quarter")
    suppress(
        main.node.find_child("L1").node.default_child or main.node.find_child("L1"),
        "EcrPatterns-LifecyclePolicy",
        "images are removed by the release pipeline",
    )
    Validations.of(nested).acknowledge(
        Acknowledgment(id="EcrPatterns::EcrPatterns-Encryption", reason="nested demo repository, no data"),
        Acknowledgment(id="EcrPatterns::EcrPatterns-LifecyclePolicy", reason="nested demo repository, no data"),
    )
    suppress(staged.node.find_child("StagedProd"), "EcrPatterns-ProductionRetention", "a disposable preview stage")
    app.synth()
    assert {(short(f.logical_id), f.rule_id) for f in plugin.last_findings if f.level.value == "error"} <= {
        ("InNested", "EcrPatterns-Encryption"),
        ("InNested", "EcrPatterns-LifecyclePolicy"),
    }


def test_suppression_is_written_into_the_template_and_needs_a_reason() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    repo = ecr.Repository(stack, "R")
    suppress(repo, "EcrPatterns-ScanOnPush", "covered by enhanced registry scanning")
    template = cdk.assertions.Template.from_stack(stack)
    template.has_resource(
        "AWS::ECR::Repository",
        {
            "Metadata": {
                "ecr-patterns:suppressions": [
                    {"id": "EcrPatterns-ScanOnPush", "reason": "covered by enhanced registry scanning"}
                ]
            }
        },
    )
    with pytest.raises(ValidationError, match="reason"):
        suppress(repo, "EcrPatterns-ScanOnPush", "")
    with pytest.raises(ValidationError, match="rule_id"):
        suppress(repo, "EcrPatterns-Unknown", "a long enough reason")


def test_aspect_reports_annotations_with_rule_ids_everywhere() -> None:
    app = cdk.App()
    stacks = build(app)
    add_compliance_everywhere(app)
    app.synth()
    errors, warnings = set(), set()
    for stack in (stacks["main"], stacks["staged"]):
        for m in Annotations.from_stack(stack).find_error("*", Match.any_value()):
            errors.add((construct_name(m.id), m.entry.data.split("]")[0].lstrip("[")))
        for m in Annotations.from_stack(stack).find_warning("*", Match.string_like_regexp(r"\[EcrPatterns-.*")):
            warnings.add((construct_name(m.id), m.entry.data.split("]")[0].lstrip("[")))
    assert errors == EXPECTED_ERRORS
    assert warnings == EXPECTED_WARNINGS


def test_aspect_honours_suppressions_and_levels() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    repo = ecr.Repository(stack, "R")
    suppress(repo, "EcrPatterns-Encryption", "encrypted by the default AES256, accepted here")
    cdk.Aspects.of(app).add(
        EcrCompliance(levels={"EcrPatterns-ScanOnPush": "warning", "EcrPatterns-LifecyclePolicy": "warning"}),
        priority=cdk.AspectPriority.READONLY,
    )
    app.synth()
    assert Annotations.from_stack(stack).find_error("*", Match.any_value()) == []
    warned = {m.entry.data.split("]")[0] for m in Annotations.from_stack(stack).find_warning("*", Match.any_value())}
    assert warned == {"[EcrPatterns-ScanOnPush", "[EcrPatterns-LifecyclePolicy", "[EcrPatterns-TagImmutability"}


def test_aspect_sees_registry_scanning_that_covers_a_repository() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    ecr.Repository(stack, "R", repository_name="team/api")
    ecr.CfnRegistryScanningConfiguration(
        stack,
        "Scanning",
        scan_type="ENHANCED",
        rules=[
            ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                scan_frequency="CONTINUOUS_SCAN",
                repository_filters=[
                    ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(
                        filter="team/*", filter_type="WILDCARD"
                    )
                ],
            )
        ],
    )
    cdk.Aspects.of(app).add(EcrCompliance(), priority=cdk.AspectPriority.READONLY)
    app.synth()
    errors = [m.entry.data for m in Annotations.from_stack(stack).find_error("*", Match.any_value())]
    assert not any("EcrPatterns-ScanOnPush" in e for e in errors)
    assert any("EcrPatterns-Encryption" in e for e in errors)
