"""The `ecr-patterns lifecycle` CLI on files, on a synthesized template and on a live (moto) repository."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecr_patterns.cli import main

NOW = datetime(2026, 6, 1, tzinfo=UTC)
POLICY = {
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
    assert (code, out.strip()) == (0, "valid: 2 rule(s)")


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
    assert out.strip().splitlines()[-1] == "2 to expire, 0 to archive, 1 kept (of 3 images)"


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
    code, _, err = run(capsys, "lifecycle", "validate", str(path))
    assert code == 2
    assert "Repo1, Repo2" in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(capsys, "lifecycle", "validate", str(path), "--repository", "Repo2")
    assert (code, out.strip()) == (0, "valid: 2 rule(s)")


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
        (["lifecycle", "validate", "/nonexistent/p.json"], "cannot read policy file"),
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
        "import sys; from ecr_patterns.cli import main; rc = main(['lifecycle', 'validate', sys.argv[1]]); "
        "import ecr_patterns.lifecycle as lc; lc.preview_lifecycle_policy; lc.validate_lifecycle_policy; "
        "lc.archive_images_not_pulled_for_days; lc.LifecyclePolicy; "
        "assert 'aws_cdk' not in sys.modules, 'aws_cdk was imported'; sys.exit(rc)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(policy)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "valid: 2 rule(s)" in result.stdout


def test_live_mode_reads_every_page_of_a_repository(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    moto = pytest.importorskip("moto")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
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
