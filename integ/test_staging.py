"""The staging stack of SecureStagingFactory deployed with the real CDK CLI (``--method=direct``, as the deploy
cycle does) and read back through the ECR API. Emulator mode only: a sandbox run would leave a retained
repository and bucket in the account."""

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
from integ.target import EMULATOR, Target

APP_ID = "integstg"


@pytest.fixture(scope="module")
def staging(target: Target, workdir: Path) -> Iterator[str]:
    if target.mode != EMULATOR:
        pytest.skip("the staging stack is deployed in the emulator only")
    image = workdir / "staging-image"
    image.mkdir(exist_ok=True)
    (image / "Dockerfile").write_text("FROM scratch\n")
    out = workdir / "staging.out"
    program = (
        "import aws_cdk as cdk, sys\n"
        "from aws_cdk import aws_ecr_assets as assets, aws_s3 as s3\n"
        "from ecr_patterns.staging import SecureStagingFactory\n"
        f"factory = SecureStagingFactory(app_id={APP_ID!r}, staging_bucket_encryption=s3.BucketEncryption.S3_MANAGED)\n"
        f"app = cdk.App(outdir={str(out)!r}, default_stack_synthesizer=factory.synthesizer())\n"
        f"env = cdk.Environment(account={target.account!r}, region={target.region!r})\n"
        "service = cdk.Stack(app, 'Service', env=env)\n"
        "assets.DockerImageAsset(service, 'Image', directory=sys.argv[1], asset_name='web')\n"
        "app.synth()\n"
    )
    subprocess.run([sys.executable, "-c", program, str(image)], check=True, capture_output=True, timeout=300)
    stack = f"StagingStack-{APP_ID}-{target.account}-{target.region}"
    cli = CdkCli(target, workdir)
    try:
        # Only the staging stack: the service stack's image would need a Docker engine to build and push.
        cli.run(
            ["deploy", "--app", str(out), stack, "--exclusively", "--method=direct", "--require-approval", "never"],
            timeout=300,
        )
        yield f"{APP_ID}/web"
    finally:
        target.client("cloudformation").delete_stack(StackName=f"StagingStack-{APP_ID}")
        ecr = target.client("ecr")
        with contextlib.suppress(ecr.exceptions.RepositoryNotFoundException):
            ecr.delete_repository(repositoryName=f"{APP_ID}/web", force=True)


def test_the_staging_repository_is_deployed_with_the_secure_defaults(staging: str, target: Target) -> None:
    ecr: Any = target.client("ecr")
    (repo,) = ecr.describe_repositories(repositoryNames=[staging])["repositories"]
    assert repo["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["encryptionConfiguration"]["encryptionType"] == "KMS"
    rules = json.loads(ecr.get_lifecycle_policy(repositoryName=staging)["lifecyclePolicyText"])["rules"]
    assert [r["selection"]["countType"] for r in rules] == ["sinceImagePushed", "imageCountMoreThan"]
