"""The hardened bootstrap template: only ContainerAssetsRepository (and the variant) change, the result passes
our rules, and its lifecycle policy never touches an image a deployed stack may reference."""

from __future__ import annotations

import difflib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ecr_patterns.bootstrap import bootstrap_lifecycle_policy, harden_bootstrap_template
from ecr_patterns.core.compliance.engine import ComplianceConfig, check_templates, without_suppressed
from ecr_patterns.core.errors import ValidationError
from ecr_patterns.lifecycle import preview_lifecycle_policy
from ecr_patterns.tools.bootstrap.policy import ISOLATED_PATTERN
from ecr_patterns.tools.bootstrap.template import VARIANT, parse_template

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "node_modules" / "aws-cdk" / "lib" / "api" / "bootstrap" / "bootstrap-template.yaml"
"""The pinned CDK CLI's template file, with its comments (2.1148.1, bootstrap version 33)."""


@pytest.fixture(scope="module")
def bundled() -> str:
    if not BUNDLED.is_file():
        pytest.fail("node_modules is missing: run `make setup`")
    return BUNDLED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shown() -> str:
    """What the pinned CLI prints for `cdk bootstrap --show-template` (comments stripped, re-serialized)."""
    from ecr_patterns.tools.bootstrap.source import cli_bootstrap_template, find_cdk_cli

    return cli_bootstrap_template(find_cdk_cli(ROOT))


def _block_lines(text: str) -> range:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "ContainerAssetsRepository:")
    end = next(
        i for i in range(start + 1, len(lines)) if lines[i].strip() and len(lines[i]) - len(lines[i].lstrip()) <= 2
    )
    return range(start, end)


@pytest.mark.parametrize("source", ["bundled", "shown"])
def test_only_the_repository_and_the_variant_change_and_every_comment_stays(
    source: str, request: pytest.FixtureRequest
) -> None:
    text = request.getfixturevalue(source)
    hardened = harden_bootstrap_template(text, existing=True).text
    before, after = text.splitlines(), hardened.splitlines()
    block = _block_lines(text)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, _, _ in matcher.get_opcodes():
        if tag == "equal":
            continue
        touched = range(i1, max(i2, i1 + 1))
        variant = next(i for i, line in enumerate(before) if line.strip() == "BootstrapVariant:")
        allowed = set(block) | set(range(variant, variant + 3))  # the block, and the variant's Default line
        assert all(i in allowed for i in touched if i < len(before)), (tag, before[i1:i2])
    comments = [line for line in before if line.strip().startswith("#")]
    assert all(comment in after for comment in comments)
    original, result = parse_template(text), parse_template(hardened)
    for key in original:
        if key not in ("Resources", "Parameters"):
            assert result[key] == original[key]
    assert {k: v for k, v in result["Resources"].items() if k != "ContainerAssetsRepository"} == {
        k: v for k, v in original["Resources"].items() if k != "ContainerAssetsRepository"
    }
    assert result["Parameters"]["BootstrapVariant"]["Default"] == VARIANT
    result["Parameters"]["BootstrapVariant"]["Default"] = original["Parameters"]["BootstrapVariant"]["Default"]
    assert result["Parameters"] == original["Parameters"]


def test_the_repository_scans_keeps_its_name_policy_and_mutability_and_is_retained(bundled: str) -> None:
    original = parse_template(bundled)["Resources"]["ContainerAssetsRepository"]
    resource = parse_template(harden_bootstrap_template(bundled, existing=True).text)["Resources"][
        "ContainerAssetsRepository"
    ]
    props = resource["Properties"]
    assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert props["ImageTagMutability"] == "IMMUTABLE"
    assert props["RepositoryName"] == original["Properties"]["RepositoryName"]
    assert props["RepositoryPolicyText"] == original["Properties"]["RepositoryPolicyText"]
    assert "EncryptionConfiguration" not in props  # create-only: an existing bootstrap keeps ECR's default
    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    assert json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"]) == bootstrap_lifecycle_policy().to_json()


def test_the_hardened_repository_passes_our_rules_with_encryption_set_aside_for_a_reason(bundled: str) -> None:
    template = parse_template(harden_bootstrap_template(bundled, existing=True).text)
    # No EncryptionConfiguration is AES256 (ECR's default): encryption at rest, compliant unless KMS is required.
    assert check_templates({"bootstrap": template}, ComplianceConfig()) == []
    findings = check_templates({"bootstrap": template}, ComplianceConfig.build(require_kms=True))
    assert [f.rule_id for f in without_suppressed(findings)] == []
    (aside,) = [f for f in findings if f.suppressed_reason]
    assert aside.rule_id == "EcrPatterns-Encryption"
    assert "create-only" in (aside.suppressed_reason or "")
    plain = check_templates({"bootstrap": parse_template(bundled)}, ComplianceConfig.build(require_kms=True))
    assert {f.rule_id for f in plain} >= {"EcrPatterns-ScanOnPush", "EcrPatterns-Encryption"}


def test_a_new_bootstrap_can_have_kms_and_then_sets_nothing_aside(bundled: str) -> None:
    arn = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    template = parse_template(harden_bootstrap_template(bundled, kms_key_arn=arn).text)
    resource = template["Resources"]["ContainerAssetsRepository"]
    assert resource["Properties"]["EncryptionConfiguration"] == {"EncryptionType": "KMS", "KmsKey": arn}
    assert "Metadata" not in resource
    findings = check_templates(
        {"bootstrap": template}, ComplianceConfig.build(require_customer_managed_key=True, require_kms=True)
    )
    assert findings == []
    managed = parse_template(harden_bootstrap_template(bundled, kms=True).text)["Resources"][
        "ContainerAssetsRepository"
    ]
    assert managed["Properties"]["EncryptionConfiguration"] == {"EncryptionType": "KMS"}


def test_registry_scanning_leaves_the_repository_flag_alone_and_says_why(bundled: str) -> None:
    resource = parse_template(harden_bootstrap_template(bundled, scan="registry", existing=True).text)["Resources"][
        "ContainerAssetsRepository"
    ]
    assert "ImageScanningConfiguration" not in resource["Properties"]
    ids = [s["id"] for s in resource["Metadata"]["ecr-patterns:suppressions"]]
    assert ids == ["EcrPatterns-Encryption", "EcrPatterns-ScanOnPush"]


def test_hardening_twice_gives_the_same_template(bundled: str) -> None:
    once = harden_bootstrap_template(bundled, existing=True).text
    assert harden_bootstrap_template(once, existing=True).text == once


def test_an_encryption_change_on_a_deployed_bootstrap_is_refused_with_every_other_problem(bundled: str) -> None:
    with pytest.raises(ValidationError) as err:
        harden_bootstrap_template(
            bundled, kms=True, existing=True, scan="both", expire_archived_after_days=30, kms_key_arn="my-key"
        )
    codes = sorted((v.field, v.code) for v in err.value.violations)
    assert codes == [
        ("expire_archived_after_days", "lifecycle.argument"),
        ("kms", "bootstrap.encryption"),
        ("kms_key_arn", "bootstrap.template"),
        ("scan", "bootstrap.template"),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("not: [yaml", "not a YAML or JSON template"),
        ("Resources: {}\n", "has no ContainerAssetsRepository"),
        ("just text\n", "not a CloudFormation template"),
    ],
)
def test_what_is_not_a_bootstrap_template_is_one_clear_error(text: str, says: str) -> None:
    with pytest.raises(ValidationError) as err:
        harden_bootstrap_template(text)
    assert says in str(err.value)


NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _image(digest: int, tags: list[str], days: int, **more: Any) -> dict[str, Any]:
    return {
        "imageDigest": f"sha256:{digest:064x}",
        "imageTags": tags,
        "imagePushedAt": NOW - timedelta(days=days),
        **more,
    }


def test_the_policy_archives_only_what_cdk_gc_isolated_and_never_an_image_in_use() -> None:
    # The tag cdk gc --action=tag adds: `${n}-aws-cdk.isolated-${Date.now()}` (aws-cdk's garbage collector).
    isolated = f"0-aws-cdk.isolated-{int((NOW - timedelta(days=35)).timestamp() * 1000)}"
    assert ISOLATED_PATTERN.strip("*") in isolated
    images = [
        _image(1, ["a" * 64], 900),  # an asset image in use, however old: kept
        _image(2, ["b" * 64, isolated], 40),  # isolated, pushed 40 days ago: archived
        _image(3, ["c" * 64, isolated], 10),  # isolated, pushed 10 days ago: kept for now
        _image(4, [], 400),  # untagged, older than a year: expired
        _image(5, ["d" * 64, isolated], 300, imageStatus="ARCHIVED", lastArchivedAt=NOW - timedelta(days=91)),
        _image(6, ["e" * 64, isolated], 300, imageStatus="ARCHIVED", lastArchivedAt=NOW - timedelta(days=30)),
    ]
    result = preview_lifecycle_policy(bootstrap_lifecycle_policy(), images, now=NOW)
    decisions = {r["imageDigest"][-1]: r["decision"] for r in result["imageReasons"]}
    assert decisions == {"1": "KEEP", "2": "TRANSITION", "3": "KEEP", "4": "EXPIRE", "5": "EXPIRE", "6": "KEEP"}


def test_the_archive_expiry_cannot_be_shorter_than_ecrs_90_day_minimum() -> None:
    with pytest.raises(ValidationError, match=">= 90"):
        bootstrap_lifecycle_policy(expire_archived_after_days=89)
    assert bootstrap_lifecycle_policy(expire_archived_after_days=120).rules[2].selection.count_number == 120


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ecr_patterns.tools.cli", "bootstrap", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_the_command_edits_the_clis_own_template_and_says_what_changed(tmp_path: Path) -> None:
    out = tmp_path / "hardened.yaml"
    done = _cli("template", "--existing", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "ContainerAssetsRepository hardened (6 changes)" in done.stderr
    assert f"cdk bootstrap --template {out} --force" in done.stderr  # the CLI keeps another variant without it
    assert parse_template(out.read_text())["Parameters"]["BootstrapVariant"]["Default"] == VARIANT


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--existing", "--kms"], "bootstrap.encryption"),
        (["--from", "/nonexistent.yaml"], "the template: cannot read /nonexistent.yaml"),
        (["--archive-isolated-after", "0"], "archive_isolated_after_days"),
    ],
)
def test_bad_template_arguments_exit_2_with_one_line(args: list[str], says: str) -> None:
    done = _cli("template", *args)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_hardening_a_hardened_template_says_already_hardened_no_change(tmp_path: Path) -> None:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    assert _cli("template", "--out", str(first)).returncode == 0
    done = _cli("template", "--from", str(first), "--out", str(second))
    assert done.returncode == 0
    assert "ContainerAssetsRepository already hardened, no change." in done.stderr
    assert "changes):" not in done.stderr
    assert second.read_bytes() == first.read_bytes()
