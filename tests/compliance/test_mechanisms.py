"""The plugin and the Aspect on an app mixing L1, plain L2 and our patterns, in nested stacks and stages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
import pytest
from aws_cdk import Acknowledgment, Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Annotations, Match
from aws_cdk.cx_api import SynthesisMessage
from constructs import Construct

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, ValidationError
from ecr_patterns.compliance import (
    EcrCompliance,
    EcrCompliancePlugin,
    add_compliance_everywhere,
    mark_production,
    suppress,
)


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
    # Production by its tag, deleted with its stack: the construct warns, the rule fails synth.
    staged_prod = SecureRepository(staged, "StagedProd", removal_policy=cdk.RemovalPolicy.DESTROY)
    cdk.Tags.of(staged_prod).add("environment", "production")
    # An opted-in ProdRepository is an acknowledged choice: no finding anywhere.
    ProdRepository(staged, "OptedIn", removal_policy=cdk.RemovalPolicy.DESTROY, allow_destroy=True)
    return {"main": main, "nested": nested, "staged": staged}


EXPECTED_ERRORS = {
    ("PlainL2", "EcrPatterns-ScanOnPush"),
    ("PlainL2", "EcrPatterns-LifecyclePolicy"),
    ("L1", "EcrPatterns-LifecyclePolicy"),
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
        for name in ("PlainL2", "L1", "InNested", "StagedProd", "OptedIn", "Secure", "Prod", "Dev")
        if logical_id.startswith(name)
    )


def construct_name(path: str) -> str:
    parts = path.split("/")
    return parts[-2] if parts[-1] == "Resource" else parts[-1]


def _annotated(stack: cdk.Stack, kind: str) -> list[tuple[str, str]]:
    """(construct path, message) of every annotation of ``kind`` in the stack's tree, read from the
    constructs' metadata (no second synth: an app whose Stages fail synth cannot be synthesized again)."""
    found = []
    for construct in stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == f"aws:cdk:{kind}":
                found.append((construct.node.path, str(entry.data)))
    return found


def _texts(messages: list[SynthesisMessage]) -> list[str]:
    """The text of each annotation found by ``Annotations`` (an annotation's data is its message)."""
    texts = []
    for message in messages:
        assert isinstance(message.entry.data, str)
        texts.append(message.entry.data)
    return texts


def _errors(stack: cdk.Stack) -> set[tuple[str, str]]:
    return {(construct_name(path), data.split("]")[0].lstrip("[")) for path, data in _annotated(stack, "error")}


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


@pytest.mark.parametrize("mechanism", ["add_compliance_everywhere", "Aspects.of"])
def test_aspect_reports_annotations_with_rule_ids_everywhere(mechanism: str) -> None:
    app = cdk.App()
    stacks = build(app)
    if mechanism == "add_compliance_everywhere":
        add_compliance_everywhere(app)
    else:
        aspect = EcrCompliance()
        staged = stacks["staged"].node.scope
        assert staged is not None
        for stage in (app, staged):
            cdk.Aspects.of(stage).add(aspect, priority=cdk.AspectPriority.READONLY)
    if mechanism == "add_compliance_everywhere":
        # The app's check fails synth for the error inside the Stage (the CLI would not show it otherwise).
        with pytest.raises(RuntimeError, match=r"1 error finding\(s\) inside Stages.*StagedProd.*ProductionRetention"):
            app.synth()
    else:
        app.synth()
    warnings = {
        (construct_name(path), data.split("]")[0].lstrip("["))
        for stack in (stacks["main"], stacks["staged"])
        for path, data in _annotated(stack, "warning")
        if data.startswith("[EcrPatterns-")
    }
    assert _errors(stacks["main"]) | _errors(stacks["staged"]) == EXPECTED_ERRORS
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
    warned = {data.split("]")[0] for data in _texts(Annotations.from_stack(stack).find_warning("*", Match.any_value()))}
    assert warned == {"[EcrPatterns-ScanOnPush", "[EcrPatterns-LifecyclePolicy", "[EcrPatterns-TagImmutability"}


def registry_scanning(stack: cdk.Stack, scan_type: str, frequency: str, repository_filter: str) -> None:
    ecr.CfnRegistryScanningConfiguration(
        stack,
        "Scanning",
        scan_type=scan_type,
        rules=[
            ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                scan_frequency=frequency,
                repository_filters=[
                    ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(
                        filter=repository_filter, filter_type="WILDCARD"
                    )
                ],
            )
        ],
    )


def test_aspect_sees_registry_scanning_that_covers_a_repository() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    ecr.Repository(stack, "R", repository_name="team/api")
    registry_scanning(stack, "ENHANCED", "CONTINUOUS_SCAN", "team/*")
    cdk.Aspects.of(app).add(EcrCompliance(), priority=cdk.AspectPriority.READONLY)
    app.synth()
    errors = _texts(Annotations.from_stack(stack).find_error("*", Match.any_value()))
    assert not any("EcrPatterns-ScanOnPush" in e for e in errors)
    assert any("EcrPatterns-LifecyclePolicy" in e for e in errors)


@pytest.mark.parametrize("mechanism", ["apply_to", "Aspects.of"])
def test_the_check_on_one_stack_checks_only_that_stack(mechanism: str) -> None:
    app = cdk.App()
    checked, unchecked = cdk.Stack(app, "Checked"), cdk.Stack(app, "Unchecked")
    ecr.Repository(checked, "Plain")
    ecr.Repository(unchecked, "Plain")
    if mechanism == "apply_to":
        EcrCompliance().apply_to(checked)
    else:
        cdk.Aspects.of(checked).add(EcrCompliance(), priority=cdk.AspectPriority.READONLY)
    app.synth()
    assert ("Plain", "EcrPatterns-ScanOnPush") in _errors(checked)
    assert _errors(unchecked) == set()


def test_one_aspect_instance_serves_two_apps() -> None:
    aspect = EcrCompliance()
    stacks = []
    for _ in range(2):
        app = cdk.App()
        stack = cdk.Stack(app, "S")
        ecr.Repository(stack, "Plain")
        SecureRepository(stack, "Secure")
        cdk.Aspects.of(app).add(aspect, priority=cdk.AspectPriority.READONLY)
        stacks.append(stack)
    for stack in stacks:  # synthesized after both apps were built
        root = stack.node.root
        assert isinstance(root, cdk.App)
        root.synth()
    for stack in stacks:
        assert {name for name, _ in _errors(stack)} == {"Plain"}


def test_apply_to_a_construct_inside_a_stack_checks_only_its_subtree() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    team = Construct(stack, "Team")
    ecr.Repository(team, "Checked")
    ecr.Repository(stack, "Unchecked")
    EcrCompliance().apply_to(team)
    app.synth()
    assert {name for name, _ in _errors(stack)} == {"Checked"}


def test_helper_checks_each_repository_once_in_its_own_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecr_patterns.constructs.compliance import aspect as module

    checked: list[str] = []
    check = module.EcrCompliance._check

    def recorded(self: Any, stack: Any, node: Any, *args: Any, **kwargs: Any) -> list[str]:
        checked.append(node.node.path)
        return check(self, stack, node, *args, **kwargs)

    monkeypatch.setattr(module.EcrCompliance, "_check", recorded)
    app = cdk.App()
    outer = cdk.Stage(app, "Outer")
    inner = cdk.Stage(outer, "Inner")
    stacks = [cdk.Stack(scope, "S") for scope in (app, outer, inner)]
    for stack in stacks:
        ecr.Repository(stack, "Plain")
    add_compliance_everywhere(app)
    with pytest.raises(RuntimeError, match="inside Stages"):
        app.synth()
    # A nested Stage is synthesized first, by its own check; the outer checks leave its repositories alone.
    assert checked == ["Outer/Inner/S/Plain/Resource", "Outer/S/Plain/Resource", "S/Plain/Resource"]
    for stack in stacks:
        messages = [data for _, data in _annotated(stack, "error")]
        assert {name for name, _ in _errors(stack)} == {"Plain"}
        assert len(messages) == len(set(messages)) == 2  # scan on push, lifecycle policy (AES256 is encryption at rest)


def test_helper_fails_synth_on_a_stage_with_repositories_defined_after_it() -> None:
    app = cdk.App()
    cdk.Stack(app, "S")
    add_compliance_everywhere(app)
    cdk.Stack(cdk.Stage(app, "NoRepositories"), "S")
    ecr.Repository(cdk.Stack(cdk.Stage(app, "Late"), "S"), "Plain")
    with pytest.raises(RuntimeError, match="did not check the repositories of Stage 'Late'") as raised:
        app.synth()
    assert "NoRepositories" not in str(raised.value)


def test_helper_calls_python_once_per_stage_not_once_per_construct(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecr_patterns.constructs.compliance import aspect as module

    calls = {"visit": 0, "validate": 0}
    visit, validate = module.EcrCompliance.visit, module._ScopeCheck.validate

    def counted_visit(self: Any, node: Any) -> None:
        calls["visit"] += 1
        visit(self, node)

    def counted_validate(self: Any) -> list[str]:
        calls["validate"] += 1
        return validate(self)

    monkeypatch.setattr(module.EcrCompliance, "visit", counted_visit)
    monkeypatch.setattr(module._ScopeCheck, "validate", counted_validate)
    app = cdk.App()
    build(app)
    add_compliance_everywhere(app)
    with pytest.raises(RuntimeError, match="inside Stages"):
        app.synth()
    assert calls == {"visit": 0, "validate": 2}  # the app and its one Stage


def test_repositories_are_resolved_in_their_own_stack_however_stacks_nest() -> None:
    from ecr_patterns.constructs.compliance.aspect import _by_stack, _in_preorder

    app = cdk.App()
    outer = cdk.Stack(app, "Outer")
    ecr.CfnRepository(outer, "Before")
    inner = cdk.Stack(outer, "Inner")  # a Stack inside a Stack: its own template
    ecr.CfnRepository(inner, "InInner")
    nested = cdk.NestedStack(outer, "Nested")
    ecr.CfnRepository(nested, "InNested")
    ecr.Repository(outer, "After")
    other = cdk.Stack(app, "Other")
    ecr.CfnRepository(other, "InOther")
    constructs = app.node.find_all()
    repositories = [c for c in constructs if isinstance(c, ecr.CfnRepository)]
    groups = _by_stack(repositories)
    found = {r.node.path: stack.node.path for stack, nodes in groups for r in nodes}
    assert found == {r.node.path: cdk.Stack.of(r).node.path for r in repositories}
    # Stacks made in Python come back as the same objects: one group (one resolve call) per stack.
    assert len(groups) == 4
    # The pre-order grouping sees the stacks nest and asks each repository its stack instead.
    ordered = _in_preorder(constructs, app)
    assert {r.node.path: stack.node.path for stack, nodes in ordered for r in nodes} == found


def test_without_nesting_repositories_are_grouped_by_the_last_stack_listed_before_them() -> None:
    from ecr_patterns.constructs.compliance.aspect import _in_preorder

    app = cdk.App()
    for i, name in enumerate(("A", "A-b", "A.b", "AB")):  # ids that sort around "A/" but are not inside it
        stack = cdk.Stack(app, name, stack_name=f"S{i}")
        ecr.CfnRepository(stack, "One")
        ecr.Repository(cdk.Stack(app, f"{name}Later", stack_name=f"Later{i}"), "Two")
        ecr.CfnRepository(stack, "Three")  # after a sibling stack was made: find_all still lists it in its stack
    constructs = app.node.find_all()
    groups = _in_preorder(constructs, app)
    found = {r.node.path: stack.node.path for stack, nodes in groups for r in nodes}
    repositories = [c for c in constructs if isinstance(c, ecr.CfnRepository)]
    assert len(found) == len(repositories) == 12
    assert found == {r.node.path: cdk.Stack.of(r).node.path for r in repositories}


def test_a_scope_below_a_stack_gets_each_repositorys_own_stack() -> None:
    """Through ``apply_to`` on a construct below a stack, the outer stack is not listed: a repository after an
    inner stack belongs to the outer one, in its environment (here a registry scanning configuration covers it)."""
    app = cdk.App()
    outer = cdk.Stack(app, "Outer", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    registry_scanning(outer, "BASIC", "SCAN_ON_PUSH", "*")
    group = Construct(outer, "Group")
    cdk.Stack(group, "Inner", env=cdk.Environment(account="222222222222", region="us-east-1"))
    ecr.CfnRepository(group, "InOuter")
    EcrCompliance().apply_to(group)
    app.synth()
    errors = _errors(outer)
    assert ("InOuter", "EcrPatterns-LifecyclePolicy") in errors  # checked
    assert ("InOuter", "EcrPatterns-ScanOnPush") not in errors  # in Outer's environment, which scans


@pytest.mark.parametrize("marked", [True, False], ids=["mark_production", "hand-written metadata"])
def test_the_aspect_reads_a_production_mark_however_it_was_written(marked: bool) -> None:
    """The mark is template metadata, read from each repository (README, "How it is checked")."""
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    repository = ecr.Repository(
        stack,
        "R",
        image_scan_on_push=True,
        image_tag_mutability=ecr.TagMutability.IMMUTABLE,
        encryption=ecr.RepositoryEncryption.KMS,
        removal_policy=cdk.RemovalPolicy.DESTROY,
    )
    repository.add_lifecycle_rule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(14))
    if marked:
        mark_production(repository)
    else:
        repository.node.default_child.add_metadata("ecr-patterns:production", True)  # type: ignore[union-attr]
    EcrCompliance().apply_to(app)
    messages = [str(m.entry.data) for m in app.synth().get_stack_by_name("S").messages]
    assert [m.split("]")[0] for m in messages] == ["[EcrPatterns-ProductionRetention"]


def test_one_instance_reads_each_apps_own_registry_scanning() -> None:
    aspect = EcrCompliance()
    stacks = []
    for scanned in (True, False):
        app = cdk.App()
        stack = cdk.Stack(app, "S")
        ecr.Repository(stack, "R", repository_name="team/api")
        if scanned:
            registry_scanning(stack, "BASIC", "SCAN_ON_PUSH", "*")
        aspect.apply_to(app)
        app.synth()
        stacks.append(stack)
    assert ("R", "EcrPatterns-ScanOnPush") not in _errors(stacks[0])
    assert ("R", "EcrPatterns-ScanOnPush") in _errors(stacks[1])


def test_aspect_resolves_a_cross_stack_reference_in_a_repository_policy() -> None:
    app = cdk.App()
    producer, consumer = cdk.Stack(app, "Producer"), cdk.Stack(app, "Consumer")
    role = cdk.aws_iam.Role(producer, "Puller", assumed_by=cdk.aws_iam.AccountRootPrincipal())
    repo = SecureRepository(consumer, "Repo")
    repo.add_to_resource_policy(
        cdk.aws_iam.PolicyStatement(actions=["ecr:BatchGetImage"], principals=[cdk.aws_iam.ArnPrincipal(role.role_arn)])
    )
    add_compliance_everywhere(app)
    app.synth()
    assert _errors(consumer) == set()


def test_aspect_checks_a_repository_another_aspect_adds_in_a_later_pass() -> None:
    @jsii.implements(cdk.IAspect)
    class AddRepository:
        def visit(self, node: object) -> None:
            if isinstance(node, cdk.Stack) and node.node.id == "First" and not node.node.try_find_child("Late"):
                ecr.CfnRepository(node, "Late")

    app = cdk.App()
    first, second = cdk.Stack(app, "First"), cdk.Stack(app, "Second")
    SecureRepository(second, "Secure")
    cdk.Aspects.of(app).add(AddRepository(), priority=cdk.AspectPriority.MUTATING)
    add_compliance_everywhere(app)
    app.synth()
    assert ("Late", "EcrPatterns-LifecyclePolicy") in _errors(first)
    assert _errors(second) == set()


def test_aspect_annotates_once_when_an_app_is_synthesized_twice() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    ecr.Repository(stack, "Plain")
    add_compliance_everywhere(app)
    app.synth()
    app.synth(force=True)
    messages = [m.entry.data for m in Annotations.from_stack(stack).find_error("*", Match.any_value())]
    assert len(messages) == len(set(messages))


@pytest.mark.parametrize("mechanism", ["plugin", "aspect"])
def test_mark_production_protects_a_plain_repository(mechanism: str) -> None:
    app = cdk.App()
    plugin = EcrCompliancePlugin()
    if mechanism == "plugin":
        Validations.of(app).add_plugins(plugin)
    stack = cdk.Stack(app, "S")
    repo = SecureRepository(stack, "Repo", removal_policy=cdk.RemovalPolicy.DESTROY)
    mark_production(repo)
    if mechanism == "aspect":
        add_compliance_everywhere(app)
        app.synth()
        assert _errors(stack) == {("Repo", "EcrPatterns-ProductionRetention")}
    else:
        with pytest.raises(RuntimeError, match="ValidationFailed"):
            app.synth()
        assert {f.rule_id for f in plugin.last_findings} == {"EcrPatterns-ProductionRetention"}


def test_mark_production_refuses_what_is_not_a_repository() -> None:
    stack = cdk.Stack(cdk.App(), "S")
    with pytest.raises(ValidationError, match="repository"):
        mark_production(cdk.aws_sns.Topic(stack, "T"))


ASPECT_APP = """
import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from ecr_patterns import SecureRepository
from ecr_patterns.compliance import add_compliance_everywhere

app = cdk.App()
stack = cdk.Stack(app, "S")
ecr.Repository(stack, "Plain")
SecureRepository(stack, "Secure")
add_compliance_everywhere(app)
app.synth()
"""


@pytest.mark.slow
def test_cdk_cli_fails_synth_on_the_aspects_errors(tmp_path: Path, run_cdk: Any) -> None:
    (tmp_path / "app.py").write_text(ASPECT_APP)
    result = run_cdk(["synth", "--app", f"{sys.executable} app.py", "--quiet", "-o", "out"], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    for rule in ("EcrPatterns-ScanOnPush", "EcrPatterns-LifecyclePolicy"):
        assert f"ERROR [{rule}]" in output
    assert "S/Plain/Resource" in output
    assert "S/Secure" not in output
