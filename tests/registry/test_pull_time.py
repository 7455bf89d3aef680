"""PullTimeUpdateExclusions and the rule that asks for it: a sinceImagePulled rule in an account and region that
excludes no principal from pull-time updates is a warning, from the plugin and from the Aspect alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import Validations
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from ecr_patterns import SecureRepository, ValidationError
from ecr_patterns.compliance import EcrCompliancePlugin, add_compliance_everywhere
from ecr_patterns.lifecycle import LifecyclePolicy, archive_images_not_pulled_for_days
from ecr_patterns.registry import PullTimeUpdateExclusions
from tests.patterns import pattern_findings

SCANNER = "arn:aws:iam::111111111111:role/Scanner"
ENV = cdk.Environment(account="111111111111", region="us-east-1")


def test_each_principal_becomes_one_exclusion(stack: cdk.Stack) -> None:
    role = iam.Role(stack, "Backup", assumed_by=iam.ServicePrincipal("backup.amazonaws.com"))
    PullTimeUpdateExclusions(stack, "Exclusions", principal_arns=[SCANNER, role.role_arn])
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ECR::PullTimeUpdateExclusion", 2)
    template.has_resource_properties("AWS::ECR::PullTimeUpdateExclusion", {"PrincipalArn": SCANNER})


@pytest.mark.parametrize(
    ("arns", "codes"),
    [
        ([], ["registry.argument"]),
        (["arn:aws:iam::111111111111:group/Admins"], ["registry.argument"]),  # roles and users only
        (["arn:aws:iam::1111:role/Short"], ["registry.argument"]),
        ([SCANNER, SCANNER], ["registry.duplicate"]),
        ([f"arn:aws:iam::111111111111:role/{'r' * 190}"], ["registry.argument"]),  # over 200 characters
        ([f"arn:aws:iam::111111111111:role/Scanner{i}" for i in range(101)], ["registry.quota"]),
    ],
)
def test_bad_principals_fail_at_once_with_one_error(stack: cdk.Stack, arns: list[str], codes: list[str]) -> None:
    with pytest.raises(ValidationError) as err:
        PullTimeUpdateExclusions(stack, "Exclusions", principal_arns=arns)
    assert [v.code for v in err.value.violations] == codes


def test_100_principals_are_within_ecrs_limit(stack: cdk.Stack) -> None:
    arns = [f"arn:aws:iam::111111111111:role/Scanner{i}" for i in range(100)]
    PullTimeUpdateExclusions(stack, "Exclusions", principal_arns=arns)
    Template.from_stack(stack).resource_count_is("AWS::ECR::PullTimeUpdateExclusion", 100)


def test_one_set_of_exclusions_per_account_and_region(app: cdk.App) -> None:
    stack = cdk.Stack(app, "A", env=ENV)
    PullTimeUpdateExclusions(stack, "First", principal_arns=[SCANNER])
    with pytest.raises(ValidationError, match="merge them into one construct"):
        PullTimeUpdateExclusions(cdk.Stack(app, "B", env=ENV), "Second", principal_arns=[SCANNER])
    other = cdk.Stack(app, "C", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    PullTimeUpdateExclusions(other, "Elsewhere", principal_arns=[SCANNER])  # another region: its own


def _pulled_repository(stack: cdk.Stack) -> None:
    """A plain L1 repository, otherwise compliant, whose policy counts pulls: the compliance rule warns about it."""
    text = LifecyclePolicy.from_rules([archive_images_not_pulled_for_days(90)]).to_text()
    ecr.CfnRepository(
        stack,
        "Repo",
        image_scanning_configuration=ecr.CfnRepository.ImageScanningConfigurationProperty(scan_on_push=True),
        image_tag_mutability="IMMUTABLE",
        encryption_configuration=ecr.CfnRepository.EncryptionConfigurationProperty(encryption_type="KMS"),
        lifecycle_policy=ecr.CfnRepository.LifecyclePolicyProperty(lifecycle_policy_text=text),
    ).apply_removal_policy(cdk.RemovalPolicy.RETAIN)


def _pulled_secure_repository(stack: cdk.Stack) -> SecureRepository:
    repo = SecureRepository(stack, "Repo")
    repo.add_lifecycle_policy_rule(archive_images_not_pulled_for_days(90))
    return repo


def _construct_warnings(stack: cdk.Stack) -> list[str]:
    """The pattern's warnings at synth (its guarantees plugin) about the pull-time rule."""
    return [f"{f.rule_id}: {f.message}. Fix: {f.fix}" for f in pattern_findings(stack) if "pull" in f.message]


def test_secure_repository_warns_about_a_pulled_rule_without_exclusions_and_says_why() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    _pulled_secure_repository(stack)
    (message,) = _construct_warnings(stack)
    assert "Amazon Inspector's pulls are never recorded" in message
    assert "EcrPatterns-PullTimeExclusions" in message
    assert "PullTimeUpdateExclusions" in message


def test_secure_repository_is_silent_when_the_app_registers_exclusions_even_later() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    _pulled_secure_repository(stack)
    # Defined after the repository, in another stack of the same account and region: judged at synth.
    PullTimeUpdateExclusions(cdk.Stack(app, "Registry", env=ENV), "Exclusions", principal_arns=[SCANNER])
    assert _construct_warnings(stack) == []


def test_secure_repository_still_warns_when_the_exclusions_are_in_another_region() -> None:
    app = cdk.App()
    stack = cdk.Stack(app, "S", env=ENV)
    _pulled_secure_repository(stack)
    elsewhere = cdk.Environment(account="111111111111", region="eu-west-1")
    PullTimeUpdateExclusions(cdk.Stack(app, "Registry", env=elsewhere), "Exclusions", principal_arns=[SCANNER])
    assert len(_construct_warnings(stack)) == 1


def test_secure_repository_without_a_pulled_rule_is_not_warned() -> None:
    stack = cdk.Stack(cdk.App(), "S", env=ENV)
    SecureRepository(stack, "Repo")
    assert _construct_warnings(stack) == []


def test_the_plugin_and_the_aspect_do_not_repeat_the_construct_warning(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    _pulled_secure_repository(cdk.Stack(app, "S", env=ENV))
    assert _plugin_findings(app) == []
    app = cdk.App(outdir=str(tmp_path / "aspect"))
    stack = cdk.Stack(app, "A", env=ENV)
    _pulled_secure_repository(stack)
    add_compliance_everywhere(app)
    app.synth()
    assert _aspect_warnings(stack) == []
    assert len(_construct_warnings(stack)) == 1


def _plugin_findings(app: cdk.App) -> list[Any]:
    plugin = EcrCompliancePlugin()
    Validations.of(app).add_plugins(plugin)
    app.synth()
    return [f for f in plugin.last_findings if f.rule_id == "EcrPatterns-PullTimeExclusions"]


def test_the_plugin_warns_about_a_pulled_rule_without_exclusions_and_says_why(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    _pulled_repository(cdk.Stack(app, "S", env=ENV))
    (finding,) = _plugin_findings(app)
    assert finding.level.value == "warning"
    assert "Amazon Inspector's pulls are never recorded, other scanners' are" in finding.message


def test_exclusions_in_the_same_account_and_region_silence_it(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    _pulled_repository(cdk.Stack(app, "S", env=ENV))
    PullTimeUpdateExclusions(cdk.Stack(app, "Registry", env=ENV), "Exclusions", principal_arns=[SCANNER])
    assert _plugin_findings(app) == []


def test_exclusions_of_another_region_do_not_count(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    _pulled_repository(cdk.Stack(app, "S", env=ENV))
    elsewhere = cdk.Environment(account="111111111111", region="eu-west-1")
    PullTimeUpdateExclusions(cdk.Stack(app, "Registry", env=elsewhere), "Exclusions", principal_arns=[SCANNER])
    assert len(_plugin_findings(app)) == 1


def test_a_policy_without_a_pulled_rule_needs_no_exclusions(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    SecureRepository(cdk.Stack(app, "S", env=ENV), "Repo")
    assert _plugin_findings(app) == []


def _aspect_warnings(stack: cdk.Stack) -> list[str]:
    messages = []
    for message in stack.node.find_all():
        for entry in message.node.metadata:
            if entry.type == "aws:cdk:warning" and "EcrPatterns-PullTimeExclusions" in str(entry.data):
                messages.append(str(entry.data))
    return messages


def test_the_aspect_warns_alike_and_is_silenced_alike(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    warned = cdk.Stack(app, "Warned", env=ENV)
    _pulled_repository(warned)
    add_compliance_everywhere(app)
    app.synth()
    assert len(_aspect_warnings(warned)) == 1
    app = cdk.App(outdir=str(tmp_path / "silenced"))
    quiet = cdk.Stack(app, "Quiet", env=ENV)
    _pulled_repository(quiet)
    PullTimeUpdateExclusions(quiet, "Exclusions", principal_arns=[SCANNER])
    add_compliance_everywhere(app)
    app.synth()
    assert _aspect_warnings(quiet) == []


def test_the_preview_says_a_pull_that_keeps_an_image_may_be_a_scanners() -> None:
    from datetime import UTC, datetime, timedelta

    from ecr_patterns.lifecycle import LifecyclePolicy, preview_lifecycle_policy

    now = datetime(2026, 6, 1, tzinfo=UTC)
    policy = LifecyclePolicy.from_rules([archive_images_not_pulled_for_days(30)])
    image = {
        "imageDigest": "sha256:" + "1" * 64,
        "imageTags": ["v1"],
        "imagePushedAt": now - timedelta(days=300),
        "lastRecordedPullTime": now - timedelta(days=2),
    }
    (reason,) = preview_lifecycle_policy(policy, [image], now=now)["imageReasons"]
    assert reason["decision"] == "KEEP"
    assert "ECR records every pull but Amazon Inspector's" in reason["reason"]
    assert "pull-time update exclusion" in reason["reason"]
