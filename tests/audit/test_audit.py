"""The live audit against moto in-process: read-only, one rule set with the synth-time checks, lifecycle
effect, estates that partly cannot be read, baselines and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest

from ecr_patterns.audit import audit, targets_for
from ecr_patterns.core.compliance.engine import ComplianceConfig, check_templates
from ecr_patterns.core.errors import ValidationError
from ecr_patterns.tools.audit.judge import judge_estate
from ecr_patterns.tools.audit.reader import READ_ONLY_PREFIXES, LiveRegistry, LiveRepository, Target, read_estate
from ecr_patterns.tools.audit.report import COULD_NOT_READ
from tests.audit.estate import BOOTSTRAP_LIKE, KEEP_LAST_3, CallRecorder, offline_aws, push, seed_estate

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    offline_aws(monkeypatch)
    with moto.mock_aws():
        yield boto3.Session(region_name="us-east-1")


def _rules(report: Any, repository: str) -> set[str]:
    return {f.rule_id for f in report.findings if f.repository == repository}


def test_the_audit_calls_only_read_operations(session: Any) -> None:
    seed_estate(session)
    recorder = CallRecorder(session)
    audit(targets_for(["us-east-1"]), session=session)
    assert recorder.calls, "the recorder saw no call"
    for call in recorder.calls:
        service, operation = call.split(":")
        assert (service == "ecr" and operation.startswith(READ_ONLY_PREFIXES)) or call == "kms:DescribeKey", call
    # what it reads: registry settings, repositories, per-repository settings, every image, index manifests
    assert {
        "ecr:GetRegistryScanningConfiguration",
        "ecr:BatchGetRepositoryScanningConfiguration",
        "ecr:DescribeRepositories",
        "ecr:GetLifecyclePolicy",
        "ecr:GetRepositoryPolicy",
        "ecr:DescribeImages",
        "ecr:BatchGetImage",
        "ecr:GetRegistryPolicy",
        "ecr:DescribeRegistry",
        "ecr:DescribePullThroughCacheRules",
        "ecr:DescribeRepositoryCreationTemplates",
        "ecr:ListPullTimeUpdateExclusions",
    } <= set(recorder.calls)


def test_the_audit_leaves_the_estate_as_it_was(session: Any) -> None:
    names = seed_estate(session)
    ecr = session.client("ecr")

    def state() -> Any:
        repos = ecr.describe_repositories()["repositories"]
        images = {n: ecr.describe_images(repositoryName=n)["imageDetails"] for n in names.values()}
        return json.dumps([repos, images], default=str, sort_keys=True)

    before = state()
    audit(targets_for(["us-east-1"]), session=session)
    assert state() == before


def test_a_plain_repository_gets_the_findings_a_template_of_the_same_settings_gets(session: Any) -> None:
    # One rule set: the live repository, turned into the resource shape, is judged by the same rules.
    seed_estate(session)
    report = audit(targets_for(["us-east-1"]), session=session)
    template = {
        "Resources": {
            "Plain": {
                "Type": "AWS::ECR::Repository",
                "Properties": {
                    "RepositoryName": "plain-app",
                    "ImageTagMutability": "MUTABLE",
                    "ImageScanningConfiguration": {"ScanOnPush": False},
                    "EncryptionConfiguration": {"EncryptionType": "AES256"},
                },
            }
        }
    }
    config = ComplianceConfig()
    synth = {
        f.rule_id for f in check_templates({"t": template}, config) if f.rule_id != "EcrPatterns-ProductionRetention"
    }
    live = {f.rule_id for f in report.findings if f.repository == "plain-app" and f.rule_id in synth | {"x"}}
    assert live == synth == {"EcrPatterns-ScanOnPush", "EcrPatterns-TagImmutability", "EcrPatterns-LifecyclePolicy"}


def test_a_repository_built_like_secure_repository_audits_clean(session: Any) -> None:
    seed_estate(session)
    report = audit(targets_for(["us-east-1"]), session=session)
    assert _rules(report, "compliant-app") == set()


def test_each_finding_names_the_security_hub_control_config_rule_prowler_check_and_checkov_id(session: Any) -> None:
    seed_estate(session)
    report = audit(targets_for(["us-east-1"]), session=session)
    (scan,) = [f for f in report.findings if f.repository == "plain-app" and f.rule_id == "EcrPatterns-ScanOnPush"]
    assert scan.standards == {
        "securityHub": "ECR.1",
        "awsConfig": "ecr-private-image-scanning-enabled",
        "prowler": "ecr_repositories_scan_images_on_push_enabled",
        "checkov": "CKV_AWS_163",
    }
    (policy,) = [
        f for f in report.findings if f.repository == "plain-app" and f.rule_id == "EcrPatterns-LifecyclePolicy"
    ]
    assert policy.standards["securityHub"] == "ECR.3"
    assert policy.standards["checkov"] is None  # checkov has no ECR lifecycle check


def test_registry_scanning_counts_only_for_the_repositories_its_filters_cover(session: Any) -> None:
    ecr = session.client("ecr")
    ecr.create_repository(repositoryName="prod-api")
    ecr.create_repository(repositoryName="dev-api")
    ecr.put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[
            {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}]}
        ],
    )
    report = audit(targets_for(["us-east-1"]), session=session)
    assert "EcrPatterns-ScanOnPush" not in _rules(report, "prod-api")
    assert "EcrPatterns-ScanOnPush" in _rules(report, "dev-api")
    prod = next(r for r in report.repositories if r.name == "prod-api")
    # prowler judges the repository's own setting only: it fails what registry scanning covers.
    assert prod.verdicts["EcrPatterns-ScanOnPush"] == {"securityHub": True, "prowler": False, "checkov": False}


def test_the_bootstrap_like_policy_exists_but_expires_nothing_and_bounds_nothing(session: Any) -> None:
    seed_estate(session)
    report = audit(targets_for(["us-east-1"]), session=session)
    found = _rules(report, "cdk-hnb659fds-container-assets")
    assert "EcrPatterns-LifecyclePolicy" not in found  # a policy exists: ECR.3 passes
    assert {
        "EcrPatterns-LifecycleExpiresNothing",
        "EcrPatterns-LifecycleGrowthUnbounded",
        "EcrPatterns-LifecycleRuleSelectsNothing",
    } <= found
    (nothing,) = [
        f
        for f in report.findings
        if f.repository == "cdk-hnb659fds-container-assets" and f.rule_id == "EcrPatterns-LifecycleExpiresNothing"
    ]
    assert "Security Hub" in (nothing.disagreement or "")
    assert nothing.standards["securityHub"] == "ECR.3"


def test_a_keep_last_policy_expires_the_older_images_at_the_next_evaluation(session: Any) -> None:
    seed_estate(session)
    report = audit(targets_for(["us-east-1"]), session=session)
    compliant = next(r for r in report.repositories if r.name == "compliant-app")
    assert compliant.images == 5
    assert compliant.lifecycle is not None
    assert compliant.lifecycle["expiringImages"] == 2
    assert compliant.lifecycle["expiringBytes"] > 0
    assert (
        compliant.lifecycle["bytesAfterNextEvaluation"] == compliant.stored_bytes - compliant.lifecycle["expiringBytes"]
    )


class _TickingClock(datetime):
    """A ``datetime`` whose ``now`` moves one second per call."""

    ticks = 0

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _TickingClock:
        cls.ticks += 1
        return cls(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=cls.ticks)


def test_the_children_of_a_kept_multi_architecture_index_are_not_counted_as_expiring(
    session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # keep the newest 3 of any: the index and its two children are the 3 images, all kept; without the
    # index's manifest the untagged children would still be kept here, so check the manifest was read.
    # moto records push times in whole seconds; the preview orders equal times by digest (issue 24), so each
    # push here gets its own second.
    import moto.ecr.models

    monkeypatch.setattr(moto.ecr.models, "datetime", _TickingClock)
    names = seed_estate(session)
    ecr = session.client("ecr")
    for i in range(3):
        push(ecr, names["multiarch"], 400 + i, f"other-{i}")  # newer: the index's children fall beyond 3
    report = audit(targets_for(["us-east-1"]), session=session)
    multi = next(r for r in report.repositories if r.name == "multiarch-app")
    assert multi.images == 6
    assert multi.lifecycle is not None
    # beyond the newest 3: the index (tagged v1) and its two children; the children are referenced by... the
    # index, which itself expires, so all three go: ECR protects children only while the index remains.
    assert multi.lifecycle["expiringImages"] == 3


def test_a_rule_every_image_of_which_a_higher_rule_selected_first_is_reported_as_shadowed() -> None:
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["v"],
                    "countType": "imageCountMoreThan",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "selection": {
                    "tagStatus": "tagged",
                    "tagPrefixList": ["v1"],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 1,
                },
                "action": {"type": "expire"},
            },
        ]
    }
    now = datetime(2026, 6, 1, tzinfo=UTC)
    images = [
        {"imageDigest": f"sha256:{i:064x}", "imageTags": [f"v1.{i}"], "imagePushedAt": now - timedelta(days=i + 1)}
        for i in range(3)
    ]
    report = judge_estate([_registry_of(_repository("r", images, json.dumps(policy)))], now=now)
    assert "EcrPatterns-LifecycleRuleShadowed" in _rules(report, "r")
    assert "EcrPatterns-LifecycleGrowthUnbounded" in _rules(report, "r")


def _repository(name: str, images: list[dict[str, Any]], policy: str | None, **description: Any) -> LiveRepository:
    return LiveRepository(
        {
            "repositoryName": name,
            "repositoryArn": f"arn:aws:ecr:us-east-1:111111111111:repository/{name}",
            "registryId": "111111111111",
            "imageTagMutability": "IMMUTABLE",
            "imageScanningConfiguration": {"scanOnPush": True},
            "encryptionConfiguration": {"encryptionType": "KMS"},
            **description,
        },
        "us-east-1",
        lifecycle_policy_text=policy,
        images=images,
    )


def _registry_of(*repositories: LiveRepository) -> LiveRegistry:
    return LiveRegistry(Target("us-east-1"), account="111111111111", repositories=list(repositories))


def test_immutable_with_exclusion_is_where_security_hub_and_prowler_disagree() -> None:
    # Security Hub ECR.2 passes only IMMUTABLE; prowler fails only MUTABLE; checkov passes only IMMUTABLE.
    repo = _repository("r", [], json.dumps(KEEP_LAST_3), imageTagMutability="IMMUTABLE_WITH_EXCLUSION")
    report = judge_estate([_registry_of(repo)])
    (finding,) = [f for f in report.findings if f.rule_id == "EcrPatterns-TagImmutability"]
    assert finding.disagreement == "Security Hub and checkov fail it; prowler passes it"


def test_the_aws_managed_key_is_where_security_hub_and_checkov_disagree() -> None:
    # ECR.5 (and AWS Config) fail aws/ecr; checkov CKV_AWS_136 passes any KMS key and fails KMS_DSSE.
    repo = _repository("r", [], json.dumps(KEEP_LAST_3))
    repo.key_manager = "AWS"
    strict = ComplianceConfig.build(require_customer_managed_key=True)
    report = judge_estate([_registry_of(repo)], strict)
    (finding,) = [f for f in report.findings if f.rule_id == "EcrPatterns-Encryption"]
    assert "aws/ecr" in finding.message
    assert finding.disagreement == "Security Hub and prowler fail it; checkov passes it"
    lenient = judge_estate([_registry_of(repo)])
    assert "EcrPatterns-Encryption" not in _rules(lenient, "r")  # without the requirement, KMS passes
    dsse = _repository("d", [], json.dumps(KEEP_LAST_3), encryptionConfiguration={"encryptionType": "KMS_DSSE"})
    dsse.key_manager = "CUSTOMER"
    views = judge_estate([_registry_of(dsse)], strict).repositories[0].verdicts["EcrPatterns-Encryption"]
    assert views == {"securityHub": True, "prowler": True, "checkov": False}


def test_archived_images_are_counted_and_the_next_evaluation_shows_the_bytes_moving_to_archive() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 30,
                },
                "action": {"type": "transition", "targetStorageClass": "archive"},
            }
        ]
    }
    images = [
        {
            "imageDigest": f"sha256:{i:064x}",
            "imageTags": [f"v{i}"],
            "imagePushedAt": now - timedelta(days=10 + 20 * i),
            "imageSizeInBytes": 1000,
            **({"imageStatus": "ARCHIVED", "lastArchivedAt": now - timedelta(days=1)} if i == 3 else {}),
        }
        for i in range(4)
    ]
    report = judge_estate([_registry_of(_repository("r", images, json.dumps(policy)))], now=now)
    effect = report.repositories[0].lifecycle
    assert effect is not None
    # pushed 10, 30 (not "more than 30 days") and 50 days ago are active: only the last one moves; the
    # archived one is not selected by a standard-storage rule.
    assert effect["archivingImages"] == 1
    assert effect["archivingBytes"] == 1000
    assert effect["bytesAfterNextEvaluation"] == 3000


def test_a_repository_that_cannot_be_read_is_a_finding_and_the_others_are_still_judged(session: Any) -> None:
    seed_estate(session)

    def deny(model: Any, params: Any, **_: Any) -> Any:
        if model.name == "GetLifecyclePolicy" and _api_params(params).get("repositoryName") == "plain-app":
            error = {
                "Error": {"Code": "AccessDeniedException", "Message": "no"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
            return _Http(400), error
        return None

    session.events.register("before-call.ecr.GetLifecyclePolicy", deny)
    report = audit(targets_for(["us-east-1"]), session=session)
    unreadable = [f for f in report.findings if f.rule_id == COULD_NOT_READ and f.repository == "plain-app"]
    assert len(unreadable) == 1
    assert "AccessDeniedException" in unreadable[0].message
    assert unreadable[0].level == "error"
    assert {r.name for r in report.repositories} >= {"compliant-app", "cdk-hnb659fds-container-assets"}
    assert "EcrPatterns-LifecycleExpiresNothing" in _rules(report, "cdk-hnb659fds-container-assets")


def _api_params(request: Any) -> dict[str, Any]:
    """The API parameters of a ``before-call`` request dict (ECR's JSON body)."""
    body = request.get("body") or b"{}"
    return dict(json.loads(body.decode() if isinstance(body, bytes) else body))


class _Http:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""
        self.raw = None


def test_a_region_that_cannot_be_read_does_not_lose_the_other_regions_results(session: Any) -> None:
    seed_estate(session, "us-east-1")
    seed_estate(session, "eu-west-1", prefix="eu-")

    def deny(model: Any, request_signer: Any, **_: Any) -> Any:
        if request_signer.region_name == "us-east-1":
            return _Http(400), {"Error": {"Code": "AccessDeniedException", "Message": "denied"}}
        return None

    session.events.register("before-call.ecr.DescribeRepositories", deny)
    report = audit(targets_for(["us-east-1", "eu-west-1"]), session=session)
    (denied,) = [f for f in report.findings if f.rule_id == COULD_NOT_READ and f.region == "us-east-1"]
    assert denied.repository is None
    assert "repositories" in denied.message
    assert {r.name for r in report.repositories if r.region == "eu-west-1"} == {
        "eu-compliant-app",
        "eu-plain-app",
        "eu-cdk-hnb659fds-container-assets",
        "eu-multiarch-app",
    }


def test_throttling_past_the_retries_is_a_could_not_read_finding(session: Any) -> None:
    # before-send runs once per attempt, so botocore's retry handler sees every throttled answer.
    from botocore.awsrequest import AWSResponse

    seed_estate(session)
    throttled: list[str] = []

    class _Raw:
        def stream(self, **_: Any) -> Iterator[bytes]:
            yield b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'

    def throttle(request: Any, **_: Any) -> Any:
        if json.loads(request.body or b"{}").get("repositoryName") == "plain-app":
            throttled.append(request.url)
            return AWSResponse(request.url, 400, {"x-amzn-ErrorType": "ThrottlingException"}, _Raw())
        return None

    session.events.register_first("before-send.ecr.DescribeImages", throttle)
    registries = read_estate(targets_for(["us-east-1"]), session=session, max_attempts=2)
    report = judge_estate(registries)
    (finding,) = [f for f in report.findings if f.rule_id == COULD_NOT_READ and f.repository == "plain-app"]
    assert "ThrottlingException" in finding.message
    assert len(throttled) == 2  # botocore retried once (max_attempts=2), then gave up
    assert next(r for r in report.repositories if r.name == "plain-app").images is None
    assert next(r for r in report.repositories if r.name == "compliant-app").images == 5


def test_repository_prefix_limits_the_audit(session: Any) -> None:
    seed_estate(session)
    report = audit(targets_for(["us-east-1"]), session=session, repository_prefix="cdk-")
    assert [r.name for r in report.repositories] == ["cdk-hnb659fds-container-assets"]


def test_targets_are_every_role_in_every_region_and_bad_scopes_are_one_error() -> None:
    targets = targets_for(
        ["us-east-1", "eu-west-1"],
        role_arn_template="arn:aws:iam::{account}:role/Audit",
        accounts=["111111111111", "222222222222"],
    )
    assert [(t.account_hint, t.region) for t in targets] == [
        ("111111111111", "us-east-1"),
        ("111111111111", "eu-west-1"),
        ("222222222222", "us-east-1"),
        ("222222222222", "eu-west-1"),
    ]
    with pytest.raises(ValidationError) as err:
        targets_for([], role_arn_template="arn:aws:iam::123:role/Audit", accounts=["12"])
    fields = [v.field for v in err.value.violations]
    assert fields == ["regions", "role_arn_template", "accounts"]
    assert all(v.code == "audit.scope" for v in err.value.violations)


def _cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from ecr_patterns.tools.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_command_exits_1_on_errors_0_when_told_never_and_prints_versioned_json(session: Any) -> None:
    seed_estate(session)
    code, out, _ = _cli("audit", "--region", "us-east-1", "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert data["schemaVersion"] == 1
    assert data["summary"]["repositories"] == 4
    assert _cli("audit", "--region", "us-east-1", "--fail-on", "never", "--format", "json")[0] == 0
    code, _, _ = _cli("audit", "--region", "us-east-1", "--repository-prefix", "compliant-", "--format", "json")
    assert code == 0  # the compliant repository has no error finding (registry-level warnings only)
    code, _, _ = _cli("audit", "--region", "us-east-1", "--repository-prefix", "compliant-", "--fail-on", "warning")
    assert code == 1  # moto does not implement pull-through cache rules: a could-not-read warning


def test_the_table_names_each_repository_and_what_the_next_evaluation_frees(session: Any) -> None:
    seed_estate(session)
    code, out, _ = _cli("audit", "--region", "us-east-1")
    assert code == 1
    assert "4 repositories" in out
    assert "compliant-app" in out
    assert "LifecycleExpiresNothing" in out
    assert "EcrPatterns-LifecycleExpiresNothing: add rules" in out  # each rule's fix, once


def test_a_baseline_shows_only_new_and_fixed_findings(session: Any, tmp_path: Path) -> None:
    seed_estate(session)
    first = tmp_path / "first.json"
    assert _cli("audit", "--region", "us-east-1", "--format", "json", "--output", str(first))[0] == 1
    again = json.loads(_cli("audit", "--region", "us-east-1", "--format", "json", "--baseline", str(first))[1])
    assert again["baseline"] == {"new": [], "fixed": []}
    session.client("ecr").put_image_tag_mutability(repositoryName="plain-app", imageTagMutability="IMMUTABLE")
    code, out, _ = _cli("audit", "--region", "us-east-1", "--format", "json", "--baseline", str(first))
    fixed = json.loads(out)["baseline"]["fixed"]
    assert [(f["ruleId"], f["repository"]) for f in fixed] == [("EcrPatterns-TagImmutability", "plain-app")]
    assert code == 0  # no new finding


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--accounts", "12"], "accounts need --role-arn"),
        (["--role-arn", "arn:aws:iam::{account}:role/A", "--accounts", "abc"], "12 digits"),
        (["--now", "yesterday"], "ISO 8601"),
        (["--baseline", "/nonexistent.json"], "cannot read the baseline"),
        (["--format", "xml"], "xml"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], says: str, monkeypatch: pytest.MonkeyPatch) -> None:
    offline_aws(monkeypatch)
    code, _, err = _cli("audit", "--region", "us-east-1", *args)
    assert code == 2
    assert says in err
    assert "Traceback" not in err


def test_the_audit_modules_never_import_aws_cdk() -> None:
    code = (
        "import sys, ecr_patterns.audit, ecr_patterns.tools.audit.render, ecr_patterns.tools.cli;"
        " print('aws_cdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_bootstrap_like_policy_is_the_cdk_bootstrap_templates_own() -> None:
    # Read from the pinned CDK CLI's template (bootstrap version 33), not retyped.
    template = Path(__file__).resolve().parents[2] / "node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml"
    if not template.is_file():
        pytest.skip("npm ci has not been run")
    lines = template.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "ContainerAssetsRepository:")
    text_at = next(i for i in range(start, len(lines)) if lines[i].strip() == "LifecyclePolicyText: |")
    indent = len(lines[text_at]) - len(lines[text_at].lstrip())
    block = []
    for line in lines[text_at + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
    assert json.loads("\n".join(block)) == BOOTSTRAP_LIKE


def _template(prefix: str, **settings: Any) -> dict[str, Any]:
    return {
        "prefix": prefix,
        "appliedFor": ["PULL_THROUGH_CACHE", "CREATE_ON_PUSH"],
        "imageTagMutability": "IMMUTABLE",
        "encryptionConfiguration": {"encryptionType": "KMS"},
        "lifecyclePolicy": json.dumps(KEEP_LAST_3),
        **settings,
    }


def test_a_creation_template_is_judged_as_the_repositories_it_makes() -> None:
    registry = _registry_of()
    registry.creation_templates = [_template("ROOT"), _template("cache", imageTagMutability="MUTABLE")]
    report = judge_estate([registry])
    found = {(f.repository, f.rule_id) for f in report.findings}
    assert ("creation template cache", "EcrPatterns-TagImmutability") in found
    # no name and no scanning setting: only a '*' registry filter covers what a template makes
    assert ("creation template ROOT", "EcrPatterns-ScanOnPush") in found
    registry.scanning_configuration = {
        "scanType": "BASIC",
        "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}],
    }
    covered = {(f.repository, f.rule_id) for f in judge_estate([registry]).findings}
    assert ("creation template ROOT", "EcrPatterns-ScanOnPush") not in covered


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("prod/api", "prod"),  # a prefix is a namespace: an assumed / ends it (API reference)
        ("prod/team/api", "prod/team"),  # the longest prefix wins
        ("production", "ROOT"),  # 'prod' does not match 'production'
        ("other", "ROOT"),
    ],
)
def test_the_template_that_applies_is_the_longest_namespace_prefix_else_root(name: str, expected: str) -> None:
    from ecr_patterns.tools.audit.judge import template_for

    templates = [_template("ROOT"), _template("prod"), _template("prod/team")]
    found = template_for(name, templates)
    assert found is not None
    assert found["prefix"] == expected


def test_a_repository_that_differs_from_its_creation_template_is_reported() -> None:
    repo = _repository("cache/nginx", [], json.dumps(KEEP_LAST_3), imageTagMutability="MUTABLE")
    same = _repository("cache/redis", [], json.dumps(KEEP_LAST_3))
    registry = _registry_of(repo, same)
    registry.creation_templates = [_template("cache")]
    report = judge_estate([registry])
    (mismatch,) = [f for f in report.findings if f.rule_id == "EcrPatterns-CreationTemplateMismatch"]
    assert mismatch.repository == "cache/nginx"
    assert "ImageTagMutability" in mismatch.message
    assert {r.name: r.creation_template for r in report.repositories} == {
        "cache/nginx": "cache",
        "cache/redis": "cache",
    }


def test_a_kms_repository_made_from_a_template_without_a_key_matches_it() -> None:
    # ECR gives such a repository the AWS managed key, whose ARN describe_repositories then shows.
    arn = "arn:aws:kms:us-east-1:111111111111:key/aws-managed"
    encryption = {"encryptionType": "KMS", "kmsKey": arn}
    repo = _repository("cache/app", [], json.dumps(KEEP_LAST_3), encryptionConfiguration=encryption)
    registry = _registry_of(repo)
    registry.creation_templates = [_template("cache")]
    assert "EcrPatterns-CreationTemplateMismatch" not in _rules(judge_estate([registry]), "cache/app")
    other = {"encryptionType": "KMS", "kmsKey": "arn:aws:kms:us-east-1:111111111111:key/other"}
    registry.creation_templates = [_template("cache", encryptionConfiguration=other)]
    assert "EcrPatterns-CreationTemplateMismatch" in _rules(judge_estate([registry]), "cache/app")


def test_layers_shared_by_a_kept_image_free_nothing_when_the_other_image_expires(session: Any) -> None:
    # keep the newest 1: the older image expires, but the layer it shares with the kept one stays stored.
    ecr = session.client("ecr")
    ecr.create_repository(repositoryName="layers-app")
    ecr.put_lifecycle_policy(
        repositoryName="layers-app",
        lifecyclePolicyText=json.dumps(
            {
                "rules": [
                    {
                        "rulePriority": 1,
                        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
                        "action": {"type": "expire"},
                    }
                ]
            }
        ),
    )
    shared = {"digest": f"sha256:{'a' * 64}", "size": 5000, "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip"}
    for i, own_size in enumerate((700, 300)):
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "digest": f"sha256:{i + 1:064x}",
                "size": 10,
                "mediaType": "application/vnd.oci.image.config.v1+json",
            },
            "layers": [
                shared,
                {"digest": f"sha256:{i + 100:064x}", "size": own_size, "mediaType": shared["mediaType"]},
            ],
        }
        ecr.put_image(
            repositoryName="layers-app",
            imageManifest=json.dumps(manifest),
            imageTag=f"v{i}",
            imageManifestMediaType="application/vnd.oci.image.manifest.v1+json",
        )
    report = audit(targets_for(["us-east-1"]), session=session, layers=True)
    (repo,) = [r for r in report.repositories if r.name == "layers-app"]
    assert repo.lifecycle is not None
    layers = repo.lifecycle["layers"]
    assert layers["storedBytes"] == 5000 + 700 + 300 + 10 + 10
    assert layers["expiringBytes"] in (700 + 10, 300 + 10)  # the expiring image's own layer and config only
    assert repo.lifecycle["expiringImages"] == 1
    without = audit(targets_for(["us-east-1"]), session=session)
    lifecycle = next(r for r in without.repositories if r.name == "layers-app").lifecycle
    assert lifecycle is not None
    assert lifecycle["layers"] is None


def test_money_uses_the_price_table_and_leaves_unknown_prices_out() -> None:
    from ecr_patterns.tools.audit.effect import Prices

    now = datetime(2026, 6, 1, tzinfo=UTC)
    images = [
        {
            "imageDigest": f"sha256:{i:064x}",
            "imageTags": [f"v{i}"],
            "imagePushedAt": now - timedelta(days=i),
            "imageSizeInBytes": 10**9,
        }
        for i in range(5)
    ]
    repo = _repository("r", images, json.dumps(KEEP_LAST_3))
    default = judge_estate([_registry_of(repo)], now=now).repositories[0].lifecycle
    assert default is not None
    assert default["monthlyCost"] == {
        "standardNow": 0.5,
        "standardAfterNextEvaluation": 0.3,
        "archiveAfterNextEvaluation": 0.0,
        "restorePerGb": None,  # no default restore fee
    }
    custom = Prices.from_json({"standardPerGbMonth": 0.2, "archivePerGbMonth": None, "restorePerGb": 0.03})
    priced = judge_estate([_registry_of(repo)], now=now, prices=custom).repositories[0].lifecycle
    assert priced is not None
    assert priced["monthlyCost"]["standardNow"] == 1.0
    assert priced["monthlyCost"]["archiveAfterNextEvaluation"] is None  # an unknown price is left out
    assert priced["monthlyCost"]["restorePerGb"] == 0.03
    with pytest.raises(ValueError, match="unknown price keys"):
        Prices.from_json({"standard": 1})
    with pytest.raises(ValueError, match=">= 0"):
        Prices.from_json({"standardPerGbMonth": -1})


def test_images_kept_only_by_their_last_recorded_pull_are_counted() -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    policy = {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "any",
                    "countType": "sinceImagePulled",
                    "countUnit": "days",
                    "countNumber": 30,
                },
                "action": {
                    "type": "transition",
                    "targetStorageClass": "archive",
                },  # the only action of sinceImagePulled
            }
        ]
    }
    old = now - timedelta(days=100)
    images = [
        # pushed long ago, pulled yesterday: only the pull keeps it
        {
            "imageDigest": "sha256:" + "1" * 64,
            "imageTags": ["a"],
            "imagePushedAt": old,
            "lastRecordedPullTime": now - timedelta(days=1),
        },
        # pushed recently: its push keeps it too
        {
            "imageDigest": "sha256:" + "2" * 64,
            "imageTags": ["b"],
            "imagePushedAt": now - timedelta(days=2),
            "lastRecordedPullTime": now - timedelta(days=1),
        },
        # pulled long ago: it moves to archive
        {"imageDigest": "sha256:" + "3" * 64, "imageTags": ["c"], "imagePushedAt": old, "lastRecordedPullTime": old},
    ]
    report = judge_estate([_registry_of(_repository("r", images, json.dumps(policy)))], now=now)
    effect = report.repositories[0].lifecycle
    assert effect is not None
    assert effect["keptByPullOnly"] == 1
    (note,) = [f for f in report.findings if f.rule_id == "EcrPatterns-LifecycleKeptByPullOnly"]
    assert note.level == "note"
    assert "Inspector" in note.message


def test_bad_prices_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offline_aws(monkeypatch)
    prices = tmp_path / "prices.json"
    prices.write_text('{"standardPerGbMonth": "cheap"}')
    code, _, err = _cli("audit", "--region", "us-east-1", "--prices", str(prices))
    assert code == 2
    assert "standardPerGbMonth" in err


def _readme_block(marker: str) -> str:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    after = readme.split(f"<!-- {marker} -->\n", 1)[1]
    return after.split("```", 2)[1].split("\n", 1)[1]


def test_the_readme_iam_policy_is_exactly_what_the_audit_calls(session: Any) -> None:
    seed_estate(session)
    ecr = session.client("ecr")
    ecr.create_repository(repositoryName="kms-app", encryptionConfiguration={"encryptionType": "KMS"})
    recorder = CallRecorder(session)
    audit(targets_for(["us-east-1"]), session=session, layers=True)
    policy = json.loads(_readme_block("audit-iam-policy"))
    (statement,) = policy["Statement"]
    allowed = set(statement["Action"])
    assert set(recorder.calls) == allowed  # nothing missing, nothing granted that is not used


def test_all_regions_reads_every_region_botocore_lists_for_ecr(monkeypatch: pytest.MonkeyPatch) -> None:
    offline_aws(monkeypatch)
    with moto.mock_aws():
        code, out, _ = _cli("audit", "--all-regions", "--format", "json", "--fail-on", "never")
    assert code == 0
    regions = boto3.Session().get_available_regions("ecr")
    assert json.loads(out)["scope"]["regions"] == sorted(regions)
    assert len(regions) > 10


def test_roles_are_assumed_per_account_and_each_account_is_read_with_its_own_credentials(
    session: Any, tmp_path: Path
) -> None:
    # moto gives an assumed role's credentials the role's account: each account has its own repositories.
    sts = session.client("sts")
    for account, name in (("111111111111", "alpha-app"), ("222222222222", "beta-app")):
        creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/Seed", RoleSessionName="seed")["Credentials"]
        boto3.client(
            "ecr",
            region_name="us-east-1",
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        ).create_repository(repositoryName=name)
    accounts = tmp_path / "accounts.txt"
    accounts.write_text("# the estate\n111111111111\n222222222222  # beta\n")
    code, out, _ = _cli(
        "audit",
        "--region",
        "us-east-1",
        "--role-arn",
        "arn:aws:iam::{account}:role/EcrAudit",
        "--accounts-file",
        str(accounts),
        "--format",
        "json",
        "--fail-on",
        "never",
    )
    assert code == 0
    data = json.loads(out)
    assert {(r["account"], r["name"]) for r in data["repositories"]} == {
        ("111111111111", "alpha-app"),
        ("222222222222", "beta-app"),
    }
    assert data["scope"]["roleArns"] == [
        "arn:aws:iam::111111111111:role/EcrAudit",
        "arn:aws:iam::222222222222:role/EcrAudit",
    ]


def test_a_terminal_gets_a_progress_bar_fed_by_the_readers_progress(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys as system

    from ecr_patterns.tools.cli.audit import _run

    calls: list[tuple[int, int]] = []

    def fake_read(on_progress: Any) -> Any:
        assert on_progress is not None, "no progress callback on a terminal"
        for done in range(1, 4):
            on_progress(done, 3)
            calls.append((done, 3))
        return "report"

    monkeypatch.setattr(system.stderr, "isatty", lambda: True)
    report: object = _run(fake_read)
    assert report == "report"
    assert calls == [(1, 3), (2, 3), (3, 3)]
    monkeypatch.setattr(system.stderr, "isatty", lambda: False)
    seen: list[object] = []

    def silent(on_progress: Any) -> Any:
        seen.append(on_progress)
        return "report"

    _run(silent)
    assert seen == [None]  # no bar off a terminal


def test_a_pulled_rule_without_exclusions_in_the_registry_is_the_same_warning_as_at_synth() -> None:
    from ecr_patterns.lifecycle import LifecyclePolicy, archive_images_not_pulled_for_days

    policy = LifecyclePolicy.from_rules([archive_images_not_pulled_for_days(90)]).to_text()
    registry = _registry_of(_repository("r", [], policy))
    registry.pull_time_exclusions = []
    assert "EcrPatterns-PullTimeExclusions" in _rules(judge_estate([registry]), "r")
    registry.pull_time_exclusions = ["arn:aws:iam::111111111111:role/Scanner"]
    assert "EcrPatterns-PullTimeExclusions" not in _rules(judge_estate([registry]), "r")
    registry.pull_time_exclusions = None  # could not be read: not judged
    assert "EcrPatterns-PullTimeExclusions" not in _rules(judge_estate([registry]), "r")
