"""Adopting an existing repository: the import deploy's code makes a template that describes the live repository
as it is (CloudFormation imports a resource as its template describes it, and recommends drift detection after),
the follow-up deploy changes only updatable properties (RepositoryName and EncryptionConfiguration are
create-only), the default policy's effect on today's images is previewed, and the command is read-only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk.assertions import Template
from click.testing import CliRunner
from moto import mock_aws

from ecr_patterns import DevRepository, ProdRepository, SecureRepository
from ecr_patterns.core.lifecycle.live import list_repository_images
from ecr_patterns.tools.audit.adopt import (
    CREATE_ONLY,
    IMPORTS,
    PATTERNS,
    AdoptionError,
    LiveSettings,
    plan_adoption,
    read_live,
)
from ecr_patterns.tools.cli import cli
from tests.audit.estate import offline_aws, push, push_index

NOW = "2026-12-01T00:00:00Z"
KEEP_5 = {
    "rules": [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5},
            "action": {"type": "expire"},
        }
    ]
}
POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "pull",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::222222222222:root"},
            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        }
    ],
}


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Any:
    offline_aws(monkeypatch)
    with mock_aws():
        yield boto3.Session()


def _legacy(session: Any, name: str = "legacy/api", images: int = 1205) -> Any:
    """A repository made by hand years ago: mutable, not scanned, AES256, a pull policy, tags, 1,205 images."""
    client = session.client("ecr")
    arn = client.create_repository(repositoryName=name, tags=[{"Key": "team", "Value": "api"}])["repository"][
        "repositoryArn"
    ]
    client.set_repository_policy(repositoryName=name, policyText=json.dumps(POLICY))
    for i in range(images):
        push(client, name, i, f"build-{i}")
    return arn


def _synth(code: str) -> Mapping[str, Any]:
    """Run generated code as a stack's body would, and return the repository resource it synthesizes."""
    stack = cdk.Stack(cdk.App(), "Adopt")
    exec(compile(IMPORTS + code, "generated", "exec"), {"self": stack})
    (resource,) = Template.from_stack(stack).find_resources("AWS::ECR::Repository").values()
    return resource


def test_the_pattern_defaults_are_the_very_presets_the_cdk_classes_apply() -> None:
    for key, cls in {"secure": SecureRepository, "dev": DevRepository, "prod": ProdRepository}.items():
        assert PATTERNS[key] is cls._preset


def test_the_import_template_describes_the_live_repository_as_it_is(session: Any) -> None:
    _legacy(session, images=3)
    client = session.client("ecr")
    live = read_live(client, "legacy/api", kms=session.client("kms"))
    plan = plan_adoption(live, list_repository_images("legacy/api", client=client), now=NOW)
    resource = _synth(plan.import_code)
    properties = resource["Properties"]
    assert resource["DeletionPolicy"] == "Retain"  # CloudFormation's import requirement
    assert properties["RepositoryName"] == "legacy/api"
    assert properties["ImageScanningConfiguration"] == {"ScanOnPush": False}
    assert properties["ImageTagMutability"] == "MUTABLE"
    assert properties["EncryptionConfiguration"] == {"EncryptionType": "AES256"}
    assert "LifecyclePolicy" not in properties
    assert properties["RepositoryPolicyText"]["Statement"][0]["Principal"] == POLICY["Statement"][0]["Principal"]
    assert properties["Tags"] == [{"Key": "team", "Value": "api"}]


def test_a_live_lifecycle_policy_is_imported_unchanged(session: Any) -> None:
    client = session.client("ecr")
    client.create_repository(repositoryName="kept", imageTagMutability="IMMUTABLE")
    client.put_lifecycle_policy(repositoryName="kept", lifecyclePolicyText=json.dumps(KEEP_5))
    plan = plan_adoption(read_live(client, "kept"), [], now=NOW)
    text = _synth(plan.import_code)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert json.loads(text) == KEEP_5
    assert [c.property for c in plan.changes] == [
        "ImageScanningConfiguration.ScanOnPush",
        "LifecyclePolicy",
        "EncryptionConfiguration",
    ]


def test_the_follow_up_deploy_changes_no_create_only_property(session: Any) -> None:
    _legacy(session, images=3)
    client = session.client("ecr")
    plan = plan_adoption(read_live(client, "legacy/api"), list_repository_images("legacy/api", client=client), now=NOW)
    before = _synth(plan.import_code)["Properties"]
    after = _synth(plan.follow_up_code)["Properties"]
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    assert changed == {"ImageScanningConfiguration", "ImageTagMutability", "LifecyclePolicy"}
    assert not changed & set(CREATE_ONLY)
    assert after["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert after["ImageTagMutability"] == "IMMUTABLE"


def test_the_plan_says_encryption_cannot_change_and_previews_the_default_policy(session: Any) -> None:
    _legacy(session)
    client = session.client("ecr")
    images = list_repository_images("legacy/api", client=client)
    plan = plan_adoption(read_live(client, "legacy/api"), images, now=NOW)
    (encryption,) = [c for c in plan.changes if c.property == "EncryptionConfiguration"]
    assert (encryption.live, encryption.pattern, encryption.in_place) == ("AES256", "KMS", False)
    assert "create-only" in encryption.note
    # SecureRepository's default keeps the last 1,000 images: 205 of today's 1,205 expire within a day.
    assert (plan.images, plan.expiring, plan.archiving) == (1205, 205, 0)
    assert plan.expiring_bytes > 0


def test_a_kms_repository_with_the_aws_managed_key_keeps_the_patterns_default() -> None:
    live = LiveSettings(
        name="kms-app",
        arn="arn:aws:ecr:us-east-1:111111111111:repository/kms-app",
        scan_on_push=True,
        mutability="IMMUTABLE",
        exclusion_filters=(),
        encryption_type="KMS",
        kms_key="arn:aws:kms:us-east-1:111111111111:key/aws-ecr",
        key_manager="AWS",
        lifecycle_text=None,
        policy_text=None,
        tags={},
    )
    plan = plan_adoption(live, [], now=NOW)
    assert _synth(plan.import_code)["Properties"]["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    assert [c.property for c in plan.changes] == ["LifecyclePolicy"]
    assert plan.notes == []


def test_a_key_kms_cannot_describe_is_named_by_arn_and_said_so(session: Any) -> None:
    # moto gives a KMS repository without a key an ARN that its KMS does not know.
    client = session.client("ecr")
    client.create_repository(repositoryName="kms-app", encryptionConfiguration={"encryptionType": "KMS"})
    live = read_live(client, "kms-app", kms=session.client("kms"))
    plan = plan_adoption(live, [], now=NOW)
    assert live.key_manager is None
    assert f"could not tell whether {live.kms_key} is the AWS managed key" in plan.notes[0]


def test_a_customer_managed_key_is_kept_by_arn(session: Any) -> None:
    key = session.client("kms").create_key()["KeyMetadata"]["Arn"]
    client = session.client("ecr")
    client.create_repository(repositoryName="cmk-app", encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key})
    plan = plan_adoption(read_live(client, "cmk-app", kms=session.client("kms")), [], now=NOW)
    for code in (plan.import_code, plan.follow_up_code):
        encryption = _synth(code)["Properties"]["EncryptionConfiguration"]
        assert encryption == {"EncryptionType": "KMS", "KmsKey": key}


def test_the_command_is_read_only_and_writes_the_cdk_import_mapping(
    session: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _legacy(session, images=12)
    calls: list[str] = []
    real_session = boto3.Session

    def recorded(*args: Any, **kwargs: Any) -> Any:
        # Every session the command makes records its calls (botocore's before-call event).
        made = real_session(*args, **kwargs)
        made.events.register("before-call", lambda model, **_: calls.append(model.name))
        return made

    monkeypatch.setattr(boto3, "Session", recorded)
    mapping = tmp_path / "mapping.json"
    args = ["adopt", "legacy/api", "--region", "us-east-1", "--logical-id", "Repository22E53BBD"]
    result = CliRunner().invoke(cli, [*args, "--mapping-out", str(mapping), "--now", NOW])
    assert result.exit_code == 0, result.output
    assert json.loads(mapping.read_text()) == {"Repository22E53BBD": {"RepositoryName": "legacy/api"}}
    assert "encryption=ecr.RepositoryEncryption.AES_256" in result.output
    assert "EncryptionConfiguration: AES256 -> KMS (NOT CHANGED: create-only" in result.output
    assert {"DescribeRepositories", "DescribeImages", "GetLifecyclePolicy", "GetRepositoryPolicy"} <= set(calls)
    assert all(call.startswith(("Describe", "Get", "List", "BatchGet")) for call in calls), calls


def test_a_missing_repository_is_one_line_and_exit_2(session: Any) -> None:
    result = CliRunner().invoke(cli, ["adopt", "nothing-here", "--region", "us-east-1"])
    assert result.exit_code == 2
    assert "cannot read repository nothing-here" in result.output
    assert "Traceback" not in result.output


def test_adoption_reads_with_the_audits_reader_and_stops_naming_what_it_could_not_read(session: Any) -> None:
    from botocore.exceptions import ClientError

    _legacy(session, images=3)
    client = session.client("ecr")

    def denied(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetLifecyclePolicy")

    client.get_lifecycle_policy = denied  # the audit records this as unreadable; adoption cannot go on without it
    with pytest.raises(AdoptionError) as raised:
        read_live(client, "legacy/api")
    assert str(raised.value) == "cannot read repository legacy/api: lifecycle policy: AccessDeniedException: no"


def test_the_live_settings_carry_every_image_and_the_indexes_children(session: Any) -> None:
    _legacy(session, images=2)
    client = session.client("ecr")
    kids = [push(client, "legacy/api", 100 + k) for k in range(2)]
    index = push_index(client, "legacy/api", kids, "multi")
    live = read_live(client, "legacy/api")
    assert sorted(t for i in live.images for t in i.get("imageTags", [])) == ["build-0", "build-1", "multi"]
    assert len(live.images) == 5
    assert {k: sorted(v) for k, v in live.index_children.items()} == {index: sorted(kids)}


def test_mapping_out_needs_the_logical_id(session: Any, tmp_path: Any) -> None:
    result = CliRunner().invoke(cli, ["adopt", "x", "--region", "us-east-1", "--mapping-out", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert "--logical-id" in result.output


def test_the_readme_session_is_what_the_command_prints(session: Any, tmp_path: Any) -> None:
    # README's example, run against moto: every line it shows is printed (a "..." line or tail elides).
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- adopt-session -->\n```console\n", 1)[1].split("```", 1)[0]
    command, *shown = block.splitlines()
    _legacy(boto3.Session(region_name="eu-west-1"))
    args = command.removeprefix("$ ecr-patterns ").split()
    args[args.index("--mapping-out") + 1] = str(tmp_path / "mapping.json")
    result = CliRunner().invoke(cli, [*args, "--now", NOW])
    assert result.exit_code == 0, result.output
    printed = result.output.splitlines()
    for line in shown:
        if line.strip() == "...":
            continue
        expected = line.split("...", 1)[0]
        assert any(p.startswith(expected) for p in printed), line


def test_the_adoption_planner_never_imports_aws_cdk() -> None:
    import subprocess
    import sys

    code = (
        "import sys, ecr_patterns.tools.cli.adopt\n"
        "from ecr_patterns.tools.audit.adopt import LiveSettings, plan_adoption\n"
        "live = LiveSettings('a', 'arn', False, 'MUTABLE', (), 'AES256', None, None, None, None, {})\n"
        "plan_adoption(live, [], now='2026-12-01T00:00:00Z')\n"
        "print('aws_cdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
