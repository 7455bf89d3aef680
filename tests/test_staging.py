"""SecureStagingFactory: the app-staging synthesizer's per-asset repositories with SecureRepository's defaults,
everything else exactly the alpha's, no Lambda-backed custom resource, and how many image assets fit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr_assets as assets
from aws_cdk import aws_s3 as s3
from aws_cdk.app_staging_synthesizer_alpha import AppStagingSynthesizer
from syrupy.assertion import SnapshotAssertion

from ecr_patterns.constructs.staging import SecureStagingFactory, staging_lifecycle_policy
from ecr_patterns.core.compliance.engine import ComplianceConfig, check_templates
from ecr_patterns.core.errors import ValidationError
from ecr_patterns.lifecycle import preview_lifecycle_policy, validate_lifecycle_policy

ENV = cdk.Environment(account="111111111111", region="us-east-1")
STAGING = "StagingStack-myapp-111111111111-us-east-1"


@pytest.fixture(scope="module")
def dockerfiles(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three build contexts (an image asset is only recorded at synth: nothing is built)."""
    root = tmp_path_factory.mktemp("images")
    folders = []
    for i in range(3):
        folder = root / f"img{i}"
        folder.mkdir()
        (folder / "Dockerfile").write_text(f"FROM scratch\nLABEL n={i}\n")
        folders.append(folder)
    return folders


def _synth(
    tmp_path: Path, dockerfiles: list[Path], count: int, synthesizer: cdk.IReusableStackSynthesizer | None = None
) -> dict[str, Any]:
    out = tmp_path / "cdk.out"
    factory = SecureStagingFactory(app_id="myapp", staging_bucket_encryption=s3.BucketEncryption.S3_MANAGED)
    app = cdk.App(outdir=str(out), default_stack_synthesizer=synthesizer or factory.synthesizer())
    stack = cdk.Stack(app, "Service", env=ENV)
    for i in range(count):
        assets.DockerImageAsset(
            stack, f"Image{i}", directory=str(dockerfiles[i % 3]), build_args={"n": str(i)}, asset_name=f"image{i}"
        )
    app.synth()
    return dict(json.loads((out / f"{STAGING}.template.json").read_text()))


def _repositories(template: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::ECR::Repository"}


def test_each_asset_repository_scans_is_immutable_kms_and_has_the_validated_policy(
    tmp_path: Path, dockerfiles: list[Path]
) -> None:
    repos = _repositories(_synth(tmp_path, dockerfiles, 2))
    assert len(repos) == 2
    for repo in repos.values():
        props = repo["Properties"]
        assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
        assert props["ImageTagMutability"] == "IMMUTABLE"
        assert props["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
        policy = validate_lifecycle_policy(props["LifecyclePolicy"]["LifecyclePolicyText"])
        assert policy == staging_lifecycle_policy()
    assert sorted(r["Properties"]["RepositoryName"] for r in repos.values()) == ["myapp/image0", "myapp/image1"]


def test_the_staging_stack_counts_one_image_asset_per_repository_it_hardened(
    tmp_path: Path, dockerfiles: list[Path]
) -> None:
    factory = SecureStagingFactory(app_id="myapp", staging_bucket_encryption=s3.BucketEncryption.S3_MANAGED)
    app = cdk.App(outdir=str(tmp_path / "cdk.out"), default_stack_synthesizer=factory.synthesizer())
    stack = cdk.Stack(app, "Service", env=ENV)
    for i in range(3):
        assets.DockerImageAsset(stack, f"Image{i}", directory=str(dockerfiles[i]), asset_name=f"image{i}")
    app.synth()
    (staging,) = factory.stacks
    assert staging.image_assets == 3


def test_only_the_repositories_properties_differ_from_the_alphas_own_staging_stack(
    tmp_path: Path, dockerfiles: list[Path]
) -> None:
    ours = _synth(tmp_path / "ours", dockerfiles, 2)
    alpha = _synth(
        tmp_path / "alpha",
        dockerfiles,
        2,
        AppStagingSynthesizer.default_resources(
            app_id="myapp", staging_bucket_encryption=s3.BucketEncryption.S3_MANAGED, auto_delete_staging_assets=False
        ),
    )
    assert ours["Resources"].keys() == alpha["Resources"].keys()
    for logical_id, resource in alpha["Resources"].items():
        if resource["Type"] != "AWS::ECR::Repository":
            assert ours["Resources"][logical_id] == resource, logical_id
        else:
            mine = ours["Resources"][logical_id]
            assert mine["Properties"]["RepositoryName"] == resource["Properties"]["RepositoryName"]
            assert {k: v for k, v in mine.items() if k != "Properties"} == {
                k: v for k, v in resource.items() if k != "Properties"
            }


def test_no_lambda_backed_custom_resource_is_made(tmp_path: Path, dockerfiles: list[Path]) -> None:
    types = {r["Type"] for r in _synth(tmp_path, dockerfiles, 2)["Resources"].values()}
    assert not any(t.startswith("Custom::") or t == "AWS::Lambda::Function" for t in types), types


def test_the_staging_stack_passes_our_compliance_rules(tmp_path: Path, dockerfiles: list[Path]) -> None:
    template = _synth(tmp_path, dockerfiles, 2)
    assert check_templates({"staging": template}, ComplianceConfig.build(require_kms=True)) == []


def test_the_policy_keeps_the_newest_versions_and_expires_untagged_images() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 6, 1, tzinfo=UTC)
    images = [
        {"imageDigest": f"sha256:{i:064x}", "imageTags": [f"{i:064x}"], "imagePushedAt": now - timedelta(days=i)}
        for i in range(5)
    ] + [{"imageDigest": "sha256:" + "f" * 64, "imagePushedAt": now - timedelta(days=20)}]
    result = preview_lifecycle_policy(staging_lifecycle_policy(), images, now=now)
    expired = {r["imageDigest"][-1] for r in result["previewResults"]}
    assert expired == {"3", "4", "f"}  # beyond the newest 3, and the untagged one older than 14 days


def test_kms_can_be_left_out_for_a_staging_stack_deployed_before(tmp_path: Path, dockerfiles: list[Path]) -> None:
    out = tmp_path / "cdk.out"
    factory = SecureStagingFactory(
        app_id="myapp", staging_bucket_encryption=s3.BucketEncryption.S3_MANAGED, kms=False, image_versions=5
    )
    app = cdk.App(outdir=str(out), default_stack_synthesizer=factory.synthesizer())
    assets.DockerImageAsset(cdk.Stack(app, "Service", env=ENV), "Image", directory=str(dockerfiles[0]), asset_name="a")
    app.synth()
    (repo,) = _repositories(json.loads((out / f"{STAGING}.template.json").read_text())).values()
    assert "EncryptionConfiguration" not in repo["Properties"]
    assert '"countNumber":5' in repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]


@pytest.mark.parametrize("versions", [0, -1, True, 2.5])
def test_a_bad_number_of_versions_fails_at_once(versions: Any) -> None:
    with pytest.raises(ValidationError, match="image_versions"):
        SecureStagingFactory(
            app_id="a", staging_bucket_encryption=s3.BucketEncryption.S3_MANAGED, image_versions=versions
        )


@pytest.mark.slow
def test_31_image_assets_fit_and_32_fail_at_synth_before_cloudformation(
    tmp_path: Path, dockerfiles: list[Path]
) -> None:
    # Measured with aws-cdk-lib 2.275.0 and the alpha 2.275.0a0: the alpha fails synth above 51,200 bytes of
    # template file (its own check); its default repositories fit 38.
    template = _synth(tmp_path / "fits", dockerfiles, 31)
    assert len(_repositories(template)) == 31
    # Our check runs before synthesis and names the number of image assets; the alpha's own check would only
    # name the bytes, while it writes the file.
    with pytest.raises(
        RuntimeError, match=r"\[staging\.size\] 32 image assets: the staging template would be 51,823 bytes"
    ) as err:
        _synth(tmp_path / "too-many", dockerfiles, 32)
    assert "cannot be greater than 51200 bytes" not in str(err.value)


def test_the_staging_template_matches_its_snapshot(
    tmp_path: Path, dockerfiles: list[Path], snapshot: SnapshotAssertion
) -> None:
    template = _synth(tmp_path, dockerfiles, 1)
    template.pop("Parameters", None)
    template.pop("Rules", None)
    assert template == snapshot


@pytest.mark.slow
@pytest.mark.parametrize(("count", "before_synthesis"), [(12, False), (31, True)])
def test_the_measured_size_is_the_size_of_the_template_written(
    tmp_path: Path, dockerfiles: list[Path], count: int, before_synthesis: bool
) -> None:
    # Before synthesis (when the check runs) the app template's file asset is not added yet: a stand-in is.
    out = tmp_path / "cdk.out"
    factory = SecureStagingFactory(app_id="myapp", staging_bucket_encryption=s3.BucketEncryption.S3_MANAGED)
    app = cdk.App(outdir=str(out), default_stack_synthesizer=factory.synthesizer())
    stack = cdk.Stack(app, "Service", env=ENV)
    for i in range(count):
        assets.DockerImageAsset(stack, f"Image{i}", directory=str(dockerfiles[i % 3]), asset_name=f"service-{i}")
    (staging,) = factory.stacks
    measured = staging.measure_template() if before_synthesis else None
    app.synth()
    written = (out / f"{STAGING}.template.json").stat().st_size
    assert (measured if before_synthesis else staging.measure_template()) == written
