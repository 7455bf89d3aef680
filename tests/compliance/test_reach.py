"""Compliance that reaches everything, once: registry scanning per account and region, opt-ins and
acknowledgements honoured by every mechanism, each deviation reported once, stages that fail synth."""

from __future__ import annotations

import contextlib
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk.assertions import Annotations, Match

from ecr_patterns import ProdRepository, SecureRepository
from ecr_patterns.compliance import add_compliance_everywhere, suppress
from ecr_patterns.constructs.compliance.plugin import EcrCompliancePlugin
from ecr_patterns.core.compliance.model import Finding
from ecr_patterns.registry import RegistryScanning
from tests.patterns import pattern_findings

ACCOUNT_A, ACCOUNT_B = "111111111111", "222222222222"
EU, US = "eu-west-1", "us-east-1"


def env(account: str | None, region: str | None) -> cdk.Environment | None:
    return None if account is None and region is None else cdk.Environment(account=account, region=region)


def scanning_app(app: cdk.App) -> dict[str, cdk.Stack]:
    """Registry scanning of every repository in account A / eu-west-1 only; an unscanned repository
    in each of four environments."""
    RegistryScanning(cdk.Stack(app, "ScanningA-EU", env=env(ACCOUNT_A, EU)), "Scanning")
    stacks = {}
    for name, account, region in [
        ("A-EU", ACCOUNT_A, EU),
        ("A-US", ACCOUNT_A, US),
        ("B-EU", ACCOUNT_B, EU),
        ("Agnostic", None, None),
    ]:
        stack = cdk.Stack(app, f"Repo{name}", env=env(account, region))
        SecureRepository(stack, "Unscanned", image_scan_on_push=False)
        stacks[name] = stack
    return stacks


def test_plugin_counts_registry_scanning_only_in_its_own_account_and_region() -> None:
    app = cdk.App()
    plugin = EcrCompliancePlugin()
    Validations.of(app).add_plugins(plugin)
    scanning_app(app)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    failing = {Path(str(f.template_path)).name for f in plugin.last_findings if f.rule_id == "EcrPatterns-ScanOnPush"}
    assert failing == {"RepoA-US.template.json", "RepoB-EU.template.json", "RepoAgnostic.template.json"}


def test_aspect_counts_registry_scanning_only_in_its_own_account_and_region() -> None:
    app = cdk.App()
    stacks = scanning_app(app)
    add_compliance_everywhere(app)
    errors = {
        name: [
            m.entry.data
            for m in Annotations.from_stack(stack).find_error("*", Match.string_like_regexp(".*ScanOnPush.*"))
        ]
        for name, stack in stacks.items()
    }
    assert {name for name, found in errors.items() if found} == {"A-US", "B-EU", "Agnostic"}


def test_an_environment_agnostic_scanning_configuration_covers_only_environment_agnostic_repositories() -> None:
    app = cdk.App()
    plugin = EcrCompliancePlugin()
    Validations.of(app).add_plugins(plugin)
    RegistryScanning(cdk.Stack(app, "Scanning"), "Scanning")
    SecureRepository(cdk.Stack(app, "Agnostic"), "Unscanned", image_scan_on_push=False)
    SecureRepository(cdk.Stack(app, "Pinned", env=env(ACCOUNT_A, EU)), "Unscanned", image_scan_on_push=False)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    failing = {Path(str(f.template_path)).name for f in plugin.last_findings if f.rule_id == "EcrPatterns-ScanOnPush"}
    assert failing == {"Pinned.template.json"}


def test_a_nested_stack_takes_the_environment_of_its_parent_for_registry_scanning() -> None:
    app = cdk.App()
    plugin = EcrCompliancePlugin()
    Validations.of(app).add_plugins(plugin)
    RegistryScanning(cdk.Stack(app, "Scanning", env=env(ACCOUNT_A, EU)), "Scanning")
    for name, account in (("Covered", ACCOUNT_A), ("Other", ACCOUNT_B)):
        parent = cdk.Stack(app, name, env=env(account, EU))
        SecureRepository(cdk.NestedStack(parent, "Nested"), "Unscanned", image_scan_on_push=False)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    failing = {Path(str(f.template_path)).name for f in plugin.last_findings if f.rule_id == "EcrPatterns-ScanOnPush"}
    assert len(failing) == 1
    assert next(iter(failing)).startswith("Other")


def test_a_suppressed_repository_in_a_stage_leaves_no_summary_and_passes(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    Validations.of(app).add_plugins(EcrCompliancePlugin())
    repo = SecureRepository(cdk.Stack(cdk.Stage(app, "Preview"), "S"), "Unscanned", image_scan_on_push=False)
    suppress(repo, "EcrPatterns-ScanOnPush", "scanned by the registry scanning of the preview account")
    app.synth()


def _plugin_findings(build: Any) -> list[Finding]:
    app = cdk.App()
    plugin = EcrCompliancePlugin()
    Validations.of(app).add_plugins(plugin)
    build(cdk.Stack(app, "S"))
    with contextlib.suppress(RuntimeError):
        app.synth()
    return plugin.last_findings


def _aspect_messages(build: Any, kind: str) -> list[str]:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    build(stack)
    add_compliance_everywhere(app)
    annotations = Annotations.from_stack(stack)
    found = annotations.find_error if kind == "error" else annotations.find_warning
    return [str(m.entry.data) for m in found("*", Match.any_value())]


def test_allow_destroy_is_an_acknowledged_choice_for_the_plugin_and_the_aspect() -> None:
    def build(stack: cdk.Stack) -> None:
        ProdRepository(
            stack, "Prod", removal_policy=cdk.RemovalPolicy.DESTROY, empty_on_delete=True, allow_destroy=True
        )

    assert _plugin_findings(build) == []
    assert _aspect_messages(build, "error") == []
    # The pattern's own warning remains: the one report of the choice, visible in review.
    assert not any("EcrPatterns-ProductionRetention" in w for w in _aspect_messages(build, "warning"))
    stack = cdk.Stack(cdk.App(), "S")
    build(stack)
    assert {f.setting for f in pattern_findings(stack)} >= {"ecr-patterns:removalPolicy"}


def test_without_allow_destroy_a_production_repository_deleted_with_its_stack_fails_both_mechanisms() -> None:
    def build(stack: cdk.Stack) -> None:
        repo = SecureRepository(stack, "Prod", removal_policy=cdk.RemovalPolicy.DESTROY)
        cdk.Tags.of(repo).add("environment", "production")

    assert [f.rule_id for f in _plugin_findings(build)] == ["EcrPatterns-ProductionRetention"]
    assert any("EcrPatterns-ProductionRetention" in e for e in _aspect_messages(build, "error"))


def test_a_weakened_default_is_reported_once_a_construct_warning_not_also_a_rule_warning() -> None:
    def build(stack: cdk.Stack) -> None:
        SecureRepository(stack, "Mutable", image_tag_mutability=ecr.TagMutability.MUTABLE)

    assert _plugin_findings(build) == []  # the plugin does not repeat it
    assert _aspect_messages(build, "warning") == []  # nor the Aspect
    stack = cdk.Stack(cdk.App(), "S")
    build(stack)
    assert [f.setting for f in pattern_findings(stack)] == ["ecr-patterns:imageTagMutability"]


def test_a_plain_repository_with_the_same_setting_is_still_warned_by_the_rules() -> None:
    def build(stack: cdk.Stack) -> None:
        ecr.Repository(stack, "Plain", image_tag_mutability=ecr.TagMutability.MUTABLE, lifecycle_rules=[])

    warnings = [f for f in _plugin_findings(build) if f.level.value == "warning"]
    assert [f.rule_id for f in warnings] == ["EcrPatterns-TagImmutability"]


@pytest.mark.parametrize("acknowledged_as", ["EcrPatterns-TagImmutability", "ecr-patterns:imageTagMutability"])
def test_one_suppress_call_silences_the_construct_warning_the_plugin_and_the_aspect(acknowledged_as: str) -> None:
    def build(stack: cdk.Stack) -> None:
        repo = SecureRepository(stack, "Mutable", image_tag_mutability=ecr.TagMutability.MUTABLE)
        cdk.aws_ecr.Repository(stack, "Plain", image_tag_mutability=ecr.TagMutability.MUTABLE)
        suppress(repo, acknowledged_as, "the latest tag is re-pushed by the nightly build")

    assert [f.logical_id for f in _plugin_findings(build) if f.rule_id == "EcrPatterns-TagImmutability"] == [
        next(f.logical_id for f in _plugin_findings(build) if f.logical_id.startswith("Plain"))
    ]
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    build(stack)
    add_compliance_everywhere(app)
    warned = {m.id: str(m.entry.data) for m in Annotations.from_stack(stack).find_warning("*", Match.any_value())}
    # The acknowledged repository has no warning left; the plain one keeps the rule's warning.
    assert list(warned) == ["/S/Plain/Resource"]
    assert "EcrPatterns-TagImmutability" in warned["/S/Plain/Resource"]


def test_an_error_level_deviation_still_fails_synth_and_is_silenced_by_the_same_single_call() -> None:
    def unscanned(stack: cdk.Stack) -> None:
        SecureRepository(stack, "Unscanned", image_scan_on_push=False)

    assert [f.rule_id for f in _plugin_findings(unscanned)] == ["EcrPatterns-ScanOnPush"]

    def acknowledged(stack: cdk.Stack) -> None:
        repo = SecureRepository(stack, "Unscanned", image_scan_on_push=False)
        suppress(repo, "ecr-patterns:imageScanOnPush", "scanned by the enhanced registry scanning of account B")

    assert _plugin_findings(acknowledged) == []
    assert _aspect_messages(acknowledged, "error") == []
    assert _aspect_messages(acknowledged, "warning") == []


def test_plugin_adds_a_summary_without_resources_for_failing_repositories_inside_stages(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    Validations.of(app).add_plugins(EcrCompliancePlugin())
    SecureRepository(cdk.Stack(cdk.Stage(app, "Preview"), "S"), "Unscanned", image_scan_on_push=False)
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text(encoding="utf-8"))
    (ours,) = [r for r in report["pluginReports"] if r["pluginName"] == "EcrPatterns"]
    summaries = [v for v in ours["violations"] if not v["violatingConstructs"]]
    assert [v["ruleName"] for v in summaries] == ["EcrPatterns-ScanOnPush"]
    assert summaries[0]["description"].startswith("1 repository in Stage Preview fails EcrPatterns-ScanOnPush")


def test_cdk_drops_the_stage_summary_when_the_rule_is_acknowledged_anywhere_in_the_app(tmp_path: Path) -> None:
    # The documented limit of a summary that names no resource: CDK's acknowledgement matching removes it once
    # the rule has any acknowledgement in the app (the stage's own violation stays, shown when selected).
    app = cdk.App(outdir=str(tmp_path))
    Validations.of(app).add_plugins(EcrCompliancePlugin())
    elsewhere = SecureRepository(cdk.Stack(app, "Top"), "Elsewhere", image_scan_on_push=False)
    Validations.of(elsewhere).acknowledge(
        cdk.Acknowledgment(id="EcrPatterns::EcrPatterns-ScanOnPush", reason="scanned by the security account")
    )
    SecureRepository(cdk.Stack(cdk.Stage(app, "Preview"), "S"), "Unscanned", image_scan_on_push=False)
    with pytest.raises(RuntimeError, match="Preview/S/Unscanned"):
        app.synth()  # in-process, every violation counts
    report = json.loads((tmp_path / "validation-report.json").read_text(encoding="utf-8"))
    (ours,) = [r for r in report["pluginReports"] if r["pluginName"] == "EcrPatterns"]
    assert [v for v in ours["violations"] if not v["violatingConstructs"]] == []


STAGE_APP = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {src!r})
    import aws_cdk as cdk
    from aws_cdk import aws_ecr as ecr
    from ecr_patterns import SecureRepository
    from ecr_patterns.compliance import EcrCompliancePlugin, add_compliance_everywhere
    app = cdk.App()
    SecureRepository(cdk.Stack(app, "Top"), "Fine")
    ecr.Repository(cdk.Stack(cdk.Stage(app, "Preview"), "S"), "Plain")
    if sys.argv[1] == "plugin":
        cdk.Validations.of(app).add_plugins(EcrCompliancePlugin())
    else:
        add_compliance_everywhere(app)
    app.synth()
    """
)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("mechanism", "selection", "exit_code"),
    [
        ("plugin", [], 1),  # no stack named: only top-level stacks are selected, the summary still fails it
        ("plugin", ["--all"], 1),
        ("plugin", ["Top"], 1),
        ("plugin", ["Preview/*"], 1),
        ("aspect", [], 1),  # annotations of a stage's stack show only when selected: the app's check fails it
        ("aspect", ["--all"], 1),  # CLI 2.1148 ignores --all for synth ("Unknown option(s)")
        ("aspect", ["Top"], 1),
        ("aspect", ["Preview/*"], 1),
        ("aspect", ["**"], 1),
    ],
)
def test_cdk_cli_exit_code_for_a_failing_repository_inside_a_stage(
    tmp_path: Path, run_cdk: Any, mechanism: str, selection: list[str], exit_code: int
) -> None:
    src = str(Path(__file__).resolve().parents[2] / "src")
    (tmp_path / "app.py").write_text(STAGE_APP.format(src=src), encoding="utf-8")
    done = run_cdk(["synth", "--quiet", "--app", f"{sys.executable} app.py {mechanism}", *selection], tmp_path)
    assert done.returncode == exit_code, done.stderr[-3000:]
    if "--all" in selection:
        # The CLI writes its warnings to stdout when CI=true, to stderr otherwise.
        assert "Unknown option(s): --all" in done.stdout + done.stderr
    if exit_code:
        assert "ScanOnPush" in done.stderr or "ScanOnPush" in done.stdout


def test_suppress_on_an_l1_acknowledges_its_l2s_warning_and_never_its_siblings() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S")
    first = SecureRepository(stack, "First", image_tag_mutability=ecr.TagMutability.MUTABLE)
    SecureRepository(stack, "Second", image_tag_mutability=ecr.TagMutability.MUTABLE)
    bare = ecr.CfnRepository(stack, "Bare")
    suppress(first.node.default_child, "EcrPatterns-TagImmutability", "re-pushed latest tag, by design here")  # type: ignore[arg-type]
    suppress(bare, "EcrPatterns-TagImmutability", "a bare L1 acknowledged on its own")
    warned = [f.logical_id[: len("Second")] for f in pattern_findings(stack)]
    assert warned == ["Second"]
