"""CDK's bootstrap, checked and hardened in the deploy target: ``bootstrap check`` on the default bootstrap
the cycle deployed, and a new bootstrap from ``ecr-patterns bootstrap template`` deployed with the real
``cdk bootstrap --template``, read back through the ECR API.

The default bootstrap is updated in place last (step ``destroyed``), after every app of the cycle has used it:
the emulator completes moto's change-set path for it (integ/README.md)."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from integ.cdk_cli import CdkCli
from integ.deployment import Deployment
from integ.target import EMULATOR, Target

QUALIFIER = "eprhard1"
STACK = "EcrPatternsHardenedToolkit"


def _ecr_patterns(target: Target, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(target.cli_environment)
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "ecr_patterns.tools.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.stage("deployed")
def test_the_default_bootstrap_fails_ecr_1_and_the_check_prints_the_fix(deployment: Deployment, target: Target) -> None:
    if target.mode != EMULATOR:
        pytest.skip("a sandbox account's bootstrap is its owner's: the check is shown in the emulator")
    done = _ecr_patterns(target, "bootstrap", "check", "--region", target.region, "--format", "json")
    assert done.returncode == 1, done.stderr
    (status,) = json.loads(done.stdout)
    assert status["repository"] == f"cdk-hnb659fds-container-assets-{target.account}-{target.region}"
    assert status["securityHub"]["ECR.1"] is False
    assert status["securityHub"]["ECR.3"] is True  # a policy exists (what it does shows once images are there)
    assert status["worksWithCdkGc"] is False
    assert "cdk bootstrap --template hardened-bootstrap.yaml --force" in status["fix"]


@pytest.mark.stage("deployed")
def test_the_cdk_cli_keeps_a_bootstrap_of_another_variant_without_force(
    deployment: Deployment, target: Target, workdir: Path
) -> None:
    # The variant is why the fix command carries --force, and why a plain `cdk bootstrap` later cannot undo it.
    if target.mode != EMULATOR:
        pytest.skip("a sandbox account's bootstrap is its owner's")
    template = workdir / "variant-bootstrap.yaml"
    assert _ecr_patterns(target, "bootstrap", "template", "--existing", "--out", str(template)).returncode == 0
    ecr = target.client("ecr")
    name = f"cdk-hnb659fds-container-assets-{target.account}-{target.region}"
    before = ecr.describe_repositories(repositoryNames=[name])["repositories"][0]
    out = CdkCli(target, workdir).run(
        ["bootstrap", "--template", str(template), f"aws://{target.account}/{target.region}"], timeout=300
    )
    assert "Not overwriting it with a template containing 'ecr-patterns: hardened" in out
    assert ecr.describe_repositories(repositoryNames=[name])["repositories"][0] == before


@pytest.fixture(scope="module")
def hardened_bootstrap(target: Target, workdir: Path) -> Iterator[str]:
    """A new bootstrap (its own qualifier and stack) from the hardened template, with KMS; removed afterwards
    (the repository is retained by design, so it is deleted by hand)."""
    if target.mode != EMULATOR:
        pytest.skip("a second bootstrap is made in the emulator only")
    template = workdir / "hardened-bootstrap.yaml"
    made = _ecr_patterns(target, "bootstrap", "template", "--kms", "--out", str(template))
    assert made.returncode == 0, made.stderr
    cli = CdkCli(target, workdir)
    name = f"cdk-{QUALIFIER}-container-assets-{target.account}-{target.region}"
    try:
        cli.run(
            [
                "bootstrap",
                "--template",
                str(template),
                "--qualifier",
                QUALIFIER,
                "--toolkit-stack-name",
                STACK,
                f"aws://{target.account}/{target.region}",
            ],
            timeout=300,
        )
        yield name
    finally:
        target.client("cloudformation").delete_stack(StackName=STACK)
        ecr = target.client("ecr")
        with contextlib.suppress(ecr.exceptions.RepositoryNotFoundException):
            ecr.delete_repository(repositoryName=name, force=True)


def test_a_new_hardened_bootstrap_has_the_hardened_repository(hardened_bootstrap: str, target: Target) -> None:
    ecr: Any = target.client("ecr")
    (repo,) = ecr.describe_repositories(repositoryNames=[hardened_bootstrap])["repositories"]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["encryptionConfiguration"]["encryptionType"] == "KMS"
    policy = json.loads(ecr.get_lifecycle_policy(repositoryName=hardened_bootstrap)["lifecyclePolicyText"])
    assert [r["action"]["type"] for r in policy["rules"]] == ["expire", "transition", "expire"]
    assert policy["rules"][1]["selection"]["tagPatternList"] == ["*aws-cdk.isolated*"]


def test_the_check_passes_the_hardened_bootstrap(hardened_bootstrap: str, target: Target) -> None:
    done = _ecr_patterns(
        target, "bootstrap", "check", "--region", target.region, "--toolkit-stack-name", STACK, "--format", "json"
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (status,) = json.loads(done.stdout)
    assert status["repository"] == hardened_bootstrap
    assert status["securityHub"]["ECR.1"] is status["securityHub"]["ECR.2"] is status["securityHub"]["ECR.3"] is True
    assert status["worksWithCdkGc"] is True
    assert status["bootstrapVariant"].startswith("ecr-patterns: hardened")


def test_an_app_deploys_with_the_hardened_bootstrap(hardened_bootstrap: str, target: Target, workdir: Path) -> None:
    # The CLI reads the bootstrap version from the hardened stack's SSM parameter, as from the default one.
    out = workdir / "on-hardened.out"
    program = (
        "import aws_cdk as cdk, sys\n"
        "from ecr_patterns import SecureRepository\n"
        "app = cdk.App(outdir=sys.argv[1])\n"
        f"synth = cdk.DefaultStackSynthesizer(qualifier={QUALIFIER!r})\n"
        "stack = cdk.Stack(app, 'OnHardened', stack_name='ecr-patterns-on-hardened', synthesizer=synth)\n"
        "SecureRepository(stack, 'Repo', repository_name='ecr-patterns-integ/on-hardened',\n"
        "                 removal_policy=cdk.RemovalPolicy.DESTROY, empty_on_delete=True)\n"
        "app.synth()\n"
    )
    subprocess.run([sys.executable, "-c", program, str(out)], check=True, capture_output=True, timeout=300)
    cli = CdkCli(target, workdir)
    deploy = ["deploy", "--app", str(out), "--all", "--method=direct", "--require-approval", "never"]
    try:
        cli.run([*deploy, "--toolkit-stack-name", STACK], timeout=300)
        (repo,) = target.client("ecr").describe_repositories(repositoryNames=["ecr-patterns-integ/on-hardened"])[
            "repositories"
        ]
        assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    finally:
        cli.run(["destroy", "--app", str(out), "--all", "--force", "--toolkit-stack-name", STACK], timeout=300)


@pytest.mark.stage("destroyed")
def test_the_default_bootstrap_is_hardened_in_place_keeping_its_repository_and_images(
    destroyed: list[str], target: Target, workdir: Path
) -> None:
    if target.mode != EMULATOR:
        pytest.skip("a sandbox account's bootstrap is its owner's")
    from integ.images import Image, push_image

    ecr: Any = target.client("ecr")
    name = f"cdk-hnb659fds-container-assets-{target.account}-{target.region}"
    image = Image.build("ecr-patterns asset image")
    digest = push_image(ecr, name, "a" * 64, image)
    (before,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    assert _ecr_patterns(target, "bootstrap", "check", "--region", target.region).returncode == 1
    template = workdir / "in-place-bootstrap.yaml"
    assert _ecr_patterns(target, "bootstrap", "template", "--existing", "--out", str(template)).returncode == 0
    CdkCli(target, workdir).run(
        ["bootstrap", "--template", str(template), "--force", f"aws://{target.account}/{target.region}"], timeout=300
    )
    (after,) = ecr.describe_repositories(repositoryNames=[name])["repositories"]
    assert after["createdAt"] == before["createdAt"]  # the same repository, not a replacement
    assert after["imageScanningConfiguration"] == {"scanOnPush": True}
    assert [i["imageDigest"] for i in ecr.describe_images(repositoryName=name)["imageDetails"]] == [digest]
    rules = json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])["rules"]
    assert rules[1]["selection"]["tagPatternList"] == ["*aws-cdk.isolated*"]
    done = _ecr_patterns(target, "bootstrap", "check", "--region", target.region, "--format", "json")
    assert done.returncode == 0, done.stdout
    (status,) = json.loads(done.stdout)
    assert status["worksWithCdkGc"] is True
    # The CLI updates with the previous parameter values: the stack keeps its old variant (README says so).
    assert status["bootstrapVariant"] == "AWS CDK: Default Resources"
