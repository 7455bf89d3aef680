"""The `ecr-patterns lifecycle` CLI on files, on a synthesized template and on a live (moto) repository."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecr_patterns.tools.cli import main
from tests.offline import offline_aws

NOW = datetime(2026, 6, 1, tzinfo=UTC)
POLICY: dict[str, Any] = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {
                "tagStatus": "tagged",
                "tagPrefixList": ["prod"],
                "countType": "imageCountMoreThan",
                "countNumber": 1,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 7,
            },
            "action": {"type": "expire"},
        },
    ]
}
IMAGES = {
    "imageDetails": [
        {"imageDigest": "sha256:aaa", "imageTags": ["prod-1"], "imagePushedAt": (NOW - timedelta(days=3)).isoformat()},
        {"imageDigest": "sha256:bbb", "imageTags": ["prod-2"], "imagePushedAt": (NOW - timedelta(days=2)).isoformat()},
        {"imageDigest": "sha256:ccc", "imagePushedAt": (NOW - timedelta(days=9)).isoformat()},
    ]
}


def write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_accepts_a_valid_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lifecycle", "validate", str(write(tmp_path, "p.json", POLICY)))
    assert (code, out.strip()) == (0, "valid: 2 rules")


def test_validate_lists_every_violation_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = {"rules": [{**POLICY["rules"][0], "rulePriority": 0}, {**POLICY["rules"][1], "rulePriority": 0}]}
    code, _, err = run(capsys, "lifecycle", "validate", str(write(tmp_path, "p.json", bad)))
    assert code == 1
    assert err.startswith("invalid: ")
    assert err.count("rulePriority=0") >= 2


def test_preview_prints_a_table_and_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy, images = write(tmp_path, "p.json", POLICY), write(tmp_path, "i.json", IMAGES)
    code, out, _ = run(
        capsys, "lifecycle", "preview", "--policy", str(policy), "--images", str(images), "--now", NOW.isoformat()
    )
    assert code == 0
    assert "EXPIRE" in out
    assert "beyond the newest 1" in out
    assert out.strip().splitlines()[-1] == "2 to expire (0 B), 0 to archive (0 B), 1 kept (of 3 images)"
    # The summary per rule comes first, then the images the policy acts on.
    assert out.index("per rule") < out.index("Images the policy acts on")


def test_preview_json_is_the_preview_dict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy, images = write(tmp_path, "p.json", POLICY), write(tmp_path, "i.json", IMAGES)
    code, out, _ = run(
        capsys,
        "lifecycle",
        "preview",
        "--policy",
        str(policy),
        "--images",
        str(images),
        "--now",
        NOW.isoformat(),
        "--json",
    )
    data = json.loads(out)
    assert code == 0
    assert {r["imageDigest"]: r["appliedRulePriority"] for r in data["previewResults"]} == {
        "sha256:aaa": 1,
        "sha256:ccc": 2,
    }
    assert data["summary"]["expiringImageTotalCount"] == 2
    assert data["previewResults"][0]["imagePushedAt"].startswith("2026-05-")


def test_preview_reads_one_repository_of_a_synthesized_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = {
        "Resources": {
            "Topic": {"Type": "AWS::SNS::Topic"},
            "Repo1": {
                "Type": "AWS::ECR::Repository",
                "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": json.dumps(POLICY)}},
            },
            "Repo2": {
                "Type": "AWS::ECR::Repository",
                "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": json.dumps(POLICY)}},
            },
        }
    }
    path = write(tmp_path, "t.template.json", template)
    # validate checks every policy of the template and names each resource it checked
    code, out, _ = run(capsys, "lifecycle", "validate", str(path))
    assert (code, out.strip().splitlines()) == (
        0,
        ["valid: Repo1 (AWS::ECR::Repository): 2 rules", "valid: Repo2 (AWS::ECR::Repository): 2 rules"],
    )
    code, out, _ = run(capsys, "lifecycle", "validate", str(path), "--repository", "Repo2")
    assert (code, out.strip()) == (0, "valid: Repo2 (AWS::ECR::Repository): 2 rules")
    images = write(tmp_path, "i.json", IMAGES)
    code, _, err = run(capsys, "lifecycle", "preview", "--policy", str(path), "--images", str(images))
    assert code == 2
    assert "Repo1, Repo2" in err
    assert len(err.strip().splitlines()) == 1


def test_a_policy_built_at_deploy_time_is_reported_clearly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = {"Fn::Join": ["", ['{"rules":[', {"Ref": "P"}, "]}"]]}
    template = {
        "Resources": {
            "R": {"Type": "AWS::ECR::Repository", "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": text}}}
        }
    }
    code, _, err = run(capsys, "lifecycle", "validate", str(write(tmp_path, "t.json", template)))
    assert code == 2
    assert "built at deploy time (Fn::Join)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lifecycle", "validate", "/nonexistent/p.json"], "policy file: cannot read /nonexistent/p.json"),
        (["lifecycle", "preview", "--policy", "{policy}"], "exactly one of --images FILE and --repository-name NAME"),
        (["lifecycle", "preview", "--policy", "{policy}", "--images", "{broken}"], "is not JSON"),
        (["lifecycle", "preview", "--policy", "{policy}", "--images", "{policy}"], "imageDetails"),
        (["lifecycle", "preview", "--policy", "{policy}", "--images", "{images}", "--now", "yesterday"], "ISO 8601"),
        (["lifecycle", "preview", "--policy", "{policy}", "--images", "{noimage}"], "imagePushedAt"),
        (["lifecycle", "frobnicate"], "No such command"),
    ],
)
def test_bad_files_and_arguments_print_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    paths = {
        "policy": write(tmp_path, "p.json", POLICY),
        "images": write(tmp_path, "i.json", IMAGES),
        "broken": write(tmp_path, "b.json", "{not json"),
        "noimage": write(tmp_path, "n.json", {"imageDetails": [{"imageDigest": "sha256:x"}]}),
    }
    code, _, err = run(capsys, *[a.format(**{k: str(v) for k, v in paths.items()}) for a in args])
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_the_console_script_runs_without_loading_aws_cdk(tmp_path: Path) -> None:
    policy = write(tmp_path, "p.json", POLICY)
    code = (
        "import sys; from ecr_patterns.tools.cli import main; rc = main(['lifecycle', 'validate', sys.argv[1]]); "
        "import ecr_patterns.lifecycle as lc; lc.preview_lifecycle_policy; lc.validate_lifecycle_policy; "
        "lc.archive_images_not_pulled_for_days; lc.LifecyclePolicy; "
        "assert 'aws_cdk' not in sys.modules, 'aws_cdk was imported'; sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(policy)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "valid: 2 rules" in result.stdout


def test_live_mode_reads_every_page_of_a_repository(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moto = pytest.importorskip("moto")
    offline_aws(monkeypatch)
    import boto3

    with moto.mock_aws():
        ecr = boto3.client("ecr")
        ecr.create_repository(repositoryName="team/app")
        for i in range(120):  # more than one describe_images page (100)
            manifest = json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    "config": {
                        "digest": f"sha256:{i:064x}",
                        "size": 1,
                        "mediaType": "application/vnd.docker.container.image.v1+json",
                    },
                    "layers": [],
                }
            )
            ecr.put_image(repositoryName="team/app", imageManifest=manifest, imageTag=f"prod-{i}")
        policy = write(tmp_path, "p.json", POLICY)
        code, out, err = run(
            capsys, "lifecycle", "preview", "--policy", str(policy), "--repository-name", "team/app", "--json"
        )
    assert code == 0, err
    data = json.loads(out)
    assert len(data["imageReasons"]) == 120
    assert data["summary"]["expiringImageTotalCount"] == 119


def test_validate_also_checks_repository_creation_template_policies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = {"rules": [{**POLICY["rules"][0], "rulePriority": 0}]}
    template = {
        "Resources": {
            "Repo": {
                "Type": "AWS::ECR::Repository",
                "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": json.dumps(POLICY)}},
            },
            "Created": {
                "Type": "AWS::ECR::RepositoryCreationTemplate",
                "Properties": {"LifecyclePolicy": json.dumps(bad)},
            },
        }
    }
    code, out, err = run(capsys, "lifecycle", "validate", str(write(tmp_path, "t.template.json", template)))
    assert code == 1
    assert out.strip() == "valid: Repo (AWS::ECR::Repository): 2 rules"
    assert err.splitlines()[0] == "invalid: Created (AWS::ECR::RepositoryCreationTemplate): 1 problem"
    assert "[lifecycle.rule-priority]" in err


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"version": "55.0.0", "artifacts": {}}, "is a cloud assembly manifest"),
        ({"imageDetails": []}, "is describe-images output: give it with --images"),
        ({"version": "55.0.0", "files": {}, "dockerImages": {}}, "is a CDK asset manifest"),
        ({"version": "tree-0.1", "tree": {}}, "is a CDK construct tree"),
        ({"hello": "world"}, "is neither a lifecycle policy"),
        ([1, 2], "is neither a lifecycle policy"),
    ],
)
def test_wrong_kinds_of_files_exit_2_with_one_line_saying_what_the_file_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: Any, said: str
) -> None:
    code, _, err = run(capsys, "lifecycle", "validate", str(write(tmp_path, "f.json", data)))
    assert code == 2
    assert said in err
    assert len(err.strip().splitlines()) == 1


def test_a_single_page_with_a_next_token_is_refused_unless_partial_is_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = write(tmp_path, "p.json", POLICY)
    page = write(tmp_path, "page.json", {**IMAGES, "nextToken": "abc"})
    code, _, err = run(capsys, "lifecycle", "preview", "--policy", str(policy), "--images", str(page))
    assert code == 2
    assert "nextToken" in err
    assert len(err.strip().splitlines()) == 1
    code, _, _ = run(capsys, "lifecycle", "preview", "--policy", str(policy), "--images", str(page), "--allow-partial")
    assert code == 0


def test_manifests_from_batch_get_image_protect_the_children_of_an_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    untagged = {"rules": [POLICY["rules"][1]]}
    old = (NOW - timedelta(days=30)).isoformat()
    images = {
        "imageDetails": [
            {
                "imageDigest": "sha256:index",
                "imageTags": ["v1"],
                "imagePushedAt": old,
                "imageManifestMediaType": "application/vnd.oci.image.index.v1+json",
            },
            {"imageDigest": "sha256:child", "imagePushedAt": old},
            {"imageDigest": "sha256:stray", "imagePushedAt": old},
        ]
    }
    manifest = {"schemaVersion": 2, "manifests": [{"digest": "sha256:child", "mediaType": "x", "size": 1}]}
    manifests = {
        "images": [
            {
                "imageId": {"imageDigest": "sha256:index", "imageTag": "v1"},
                "imageManifest": json.dumps(manifest),
                "imageManifestMediaType": "application/vnd.oci.image.index.v1+json",
            }
        ],
        "failures": [],
    }
    args = ["lifecycle", "preview", "--policy", str(write(tmp_path, "p.json", untagged))]
    args += ["--images", str(write(tmp_path, "i.json", images)), "--now", NOW.isoformat(), "--json"]
    code, out, _ = run(capsys, *args)
    data = json.loads(out)
    assert code == 0
    assert data["unresolvedIndexes"] == ["sha256:index"]
    assert sorted(data["couldNotRuleOut"]) == ["sha256:child", "sha256:stray"]
    code, out, _ = run(capsys, *args, "--manifests", str(write(tmp_path, "m.json", manifests)))
    data = json.loads(out)
    assert [r["imageDigest"] for r in data["previewResults"]] == ["sha256:stray"]
    assert data["unresolvedIndexes"] == []


def test_the_table_lists_the_first_50_affected_images_unless_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = (NOW - timedelta(days=30)).isoformat()
    images = {"imageDetails": [{"imageDigest": f"sha256:{i:064x}", "imagePushedAt": old} for i in range(80)]}
    args = ["lifecycle", "preview", "--policy", str(write(tmp_path, "p.json", POLICY))]
    args += ["--images", str(write(tmp_path, "i.json", images)), "--now", NOW.isoformat()]
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert out.count("EXPIRE") == 50
    assert "... and 30 more (--all lists every one" in out
    code, out, _ = run(capsys, *args, "--all")
    assert out.count("EXPIRE") == 80
    assert "more (--all" not in out


def test_live_mode_reads_every_image_status_and_only_the_index_manifests(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moto = pytest.importorskip("moto")
    offline_aws(monkeypatch)
    import boto3
    from botocore.client import BaseClient

    calls: list[tuple[str, dict[str, Any]]] = []
    original = BaseClient._make_api_call

    def recorded(self: Any, operation: str, params: dict[str, Any]) -> Any:
        calls.append((operation, params))
        return original(self, operation, params)

    with moto.mock_aws():
        ecr = boto3.client("ecr")
        ecr.create_repository(repositoryName="team/app")
        child = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:" + "1" * 64,
                "size": 2,
            },
            "layers": [],
        }
        kid = ecr.put_image(
            repositoryName="team/app",
            imageManifest=json.dumps(child),
            imageManifestMediaType="application/vnd.oci.image.manifest.v1+json",
        )["image"]["imageId"]["imageDigest"]
        index = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": kid, "size": 2}],
        }
        ecr.put_image(
            repositoryName="team/app",
            imageManifest=json.dumps(index),
            imageManifestMediaType="application/vnd.oci.image.index.v1+json",
            imageTag="v1",
        )
        monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
        untagged_now = {
            "rules": [{**POLICY["rules"][1], "selection": {**POLICY["rules"][1]["selection"], "countNumber": 1}}]
        }
        args = [
            "lifecycle",
            "preview",
            "--policy",
            str(write(tmp_path, "p.json", untagged_now)),
            "--repository-name",
            "team/app",
        ]
        code, out, err = run(capsys, *args, "--json", "--now", (datetime.now(UTC) + timedelta(days=30)).isoformat())
    assert code == 0, err
    data = json.loads(out)
    assert data["previewResults"] == []  # the child is referenced by the remaining index: never expired
    describe = [p for op, p in calls if op == "DescribeImages"]
    assert describe
    assert all(p["filter"] == {"tagStatus": "ANY", "imageStatus": "ANY"} for p in describe)
    (batch,) = [p for op, p in calls if op == "BatchGetImage"]
    assert len(batch["imageIds"]) == 1  # only the index's manifest is fetched
    assert {op for op, _ in calls} == {"DescribeImages", "BatchGetImage"}  # read-only


def test_live_mode_fails_clearly_on_an_sdk_too_old_to_list_archived_images(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from botocore.exceptions import ParamValidationError

    from ecr_patterns.core.lifecycle.live import LiveRepositoryError, list_repository_images

    class OldPaginator:
        def paginate(self, **kwargs: Any) -> Any:
            raise ParamValidationError(report='Unknown parameter in filter: "imageStatus"')

    class OldClient:
        def get_paginator(self, name: str) -> OldPaginator:
            return OldPaginator()

    with pytest.raises(LiveRepositoryError, match=r"cannot list archived images.*1\.41\.0.*ecr-patterns\[aws\]"):
        list_repository_images("team/app", client=OldClient())
