"""``ecr-patterns bootstrap check`` against moto in-process: a default bootstrap fails ECR.1 and bounds nothing,
the hardened one passes; read-only; a region without a bootstrap stack says so."""

from __future__ import annotations

import json
from typing import Any

import pytest

from ecr_patterns.bootstrap import bootstrap_lifecycle_policy
from tests.audit.estate import BOOTSTRAP_LIKE, CallRecorder, offline_aws, push

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")
NAME = "cdk-hnb659fds-container-assets-123456789012-us-east-1"


def _bootstrap_stack(session: Any, *, variant: str = "AWS CDK: Default Resources") -> None:
    """A stand-in of the CDKToolkit stack: its parameters and the output naming the repository (moto's
    CloudFormation cannot run the real bootstrap template's ECR properties in-process)."""
    template = {
        "Parameters": {
            "Qualifier": {"Type": "String", "Default": "hnb659fds"},
            "BootstrapVariant": {"Type": "String", "Default": variant},
        },
        "Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "stand-in"}}},
        "Outputs": {"ImageRepositoryName": {"Value": NAME}, "BootstrapVersion": {"Value": "33"}},
    }
    session.client("cloudformation").create_stack(StackName="CDKToolkit", TemplateBody=json.dumps(template))


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Any:
    offline_aws(monkeypatch)
    with moto.mock_aws():
        yield boto3.Session(region_name="us-east-1")


def _default_bootstrap(session: Any) -> Any:
    _bootstrap_stack(session)
    ecr = session.client("ecr")
    ecr.create_repository(repositoryName=NAME, imageTagMutability="IMMUTABLE")
    ecr.put_lifecycle_policy(repositoryName=NAME, lifecyclePolicyText=json.dumps(BOOTSTRAP_LIKE))
    for i in range(3):
        push(ecr, NAME, 500 + i, f"{i:064x}")
    return ecr


def _check(*args: str) -> tuple[int, str]:
    from click.testing import CliRunner

    from ecr_patterns.tools.cli import cli

    result = CliRunner().invoke(cli, ["bootstrap", "check", "--region", "us-east-1", *args])
    return result.exit_code, result.stdout


def test_the_default_bootstrap_fails_ecr_1_and_its_policy_bounds_nothing(session: Any) -> None:
    _default_bootstrap(session)
    code, out = _check("--format", "json")
    assert code == 1
    (status,) = json.loads(out)
    assert status["securityHub"] == {"ECR.1": False, "ECR.2": True, "ECR.3": True, "ECR.5": False}
    assert status["bootstrapVariant"] == "AWS CDK: Default Resources"
    rules = {f["ruleId"] for f in status["findings"]}
    assert {
        "EcrPatterns-ScanOnPush",
        "EcrPatterns-LifecycleExpiresNothing",
        "EcrPatterns-LifecycleGrowthUnbounded",
    } <= rules
    assert status["fix"].startswith("ecr-patterns bootstrap template --existing --out hardened-bootstrap.yaml && ")
    assert "cdk bootstrap --template hardened-bootstrap.yaml --force aws://<account>/us-east-1" in status["fix"]


def test_the_hardened_bootstrap_passes_and_works_with_cdk_gc(session: Any) -> None:
    ecr = _default_bootstrap(session)
    ecr.put_image_scanning_configuration(repositoryName=NAME, imageScanningConfiguration={"scanOnPush": True})
    # moto 5.2.5 refuses ECR's archive vocabulary in-process (integ/emulator completes it): set the policy on
    # moto's model of the repository instead, as a PutLifecyclePolicy AWS accepts would.
    from moto.ecr.models import ecr_backends

    ecr_backends["123456789012"]["us-east-1"].repositories[
        NAME
    ].lifecycle_policy = bootstrap_lifecycle_policy().to_text()
    code, out = _check()
    assert code == 0, out
    assert "ECR.1 pass, ECR.2 pass, ECR.3 pass, ECR.5 FAIL" in out  # ECR.5 needs a customer managed key
    assert "images cdk gc marks isolated are archived, then expired" in out
    assert "fix:" not in out


def test_the_check_is_read_only(session: Any) -> None:
    _default_bootstrap(session)
    recorder = CallRecorder(session)
    from ecr_patterns.tools.bootstrap.check import check_bootstrap

    check_bootstrap(["us-east-1"], session=session)
    assert recorder.calls
    for call in recorder.calls:
        _, operation = call.split(":")
        assert operation.startswith(("Describe", "Get", "List", "BatchGet")), call
    assert "cloudformation:DescribeStacks" in recorder.calls


def test_a_region_without_a_bootstrap_stack_says_so(session: Any) -> None:
    code, out = _check()
    assert code == 1
    assert "no stack CDKToolkit in us-east-1: not bootstrapped there" in out


def test_another_qualifier_than_the_stacks_is_reported(session: Any) -> None:
    _default_bootstrap(session)
    code, out = _check("--qualifier", "other")
    assert code == 1
    assert "has the qualifier hnb659fds, not other" in out


def test_the_readme_session_is_what_the_check_prints(session: Any) -> None:
    from pathlib import Path

    _default_bootstrap(session)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- bootstrap-check-session -->\n", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    command, rest = block.split("\n", 1)
    printed, exit_line = rest.rsplit("$ echo $?\n", 1)
    args = command.removeprefix("$ ecr-patterns bootstrap check ").split()
    code, out = _check(*[a for a in args if a not in ("--region", "us-east-1")])
    assert out == printed
    assert str(code) == exit_line.strip()


def test_a_library_caller_gets_the_verdict_the_cli_prints(session: Any) -> None:
    from ecr_patterns.tools.bootstrap.check import check_bootstrap, fix_command

    _default_bootstrap(session)
    (status,) = check_bootstrap(["us-east-1"], session=session)
    assert status.found
    assert status.error is None
    assert not status.bounded  # the default policy expires nothing and bounds no tagged image
    assert not status.passes
    assert status.to_json()["passes"] is False
    assert status.to_json()["fix"] == fix_command(status)
    (same,) = check_bootstrap(["us-east-1"], session=session, qualifier="hnb659fds")
    assert same.error is None
    (other,) = check_bootstrap(["us-east-1"], session=session, qualifier="other")
    assert other.error == "the stack CDKToolkit has the qualifier hnb659fds, not other"
    assert not other.passes
