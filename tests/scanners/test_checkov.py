"""checkov's ECR checks pass on our patterns' templates (issue 2 item 8, issue 4 item 4)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam

from ecr_patterns.registry import RegistryKey
from tests.scanners.tools import scanner

pytestmark = pytest.mark.slow

ECR_CHECKS = ["CKV_AWS_32", "CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163"]


KEY_CHECKS = ["CKV_AWS_7", "CKV_AWS_33"]
"""checkov's KMS key checks: rotation enabled, no ``*`` principal in the key policy."""


def checkov(*templates: Path, checks: list[str] = ECR_CHECKS) -> list[dict[str, Any]]:
    exe = scanner("checkov")
    args = [
        exe,
        "--framework",
        "cloudformation",
        "--output",
        "json",
        "--compact",
        "--check",
        ",".join(checks),
    ]
    for template in templates:
        args += ["--file", str(template)]
    # Offline: skip downloading the vendor's check-id mapping (it would fail anyway).
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    data = json.loads(done.stdout)
    return data if isinstance(data, list) else [data]


def results(reports: list[dict[str, Any]], kind: str) -> list[tuple[str, str]]:
    return [(c["check_id"], Path(c["file_path"]).name) for r in reports for c in r.get("results", {}).get(kind, [])]


def test_patterns_pass_every_ecr_check(pattern_templates: dict[str, Path]) -> None:
    # DevRepository allows mutable tags by design (documented): CKV_AWS_51 is not for it.
    chosen = [path for name, path in pattern_templates.items() if name not in ("DevDefaults", "OrgGrantThenOpened")]
    reports = checkov(*chosen)
    assert results(reports, "failed_checks") == []
    passed = {check for check, _ in results(reports, "passed_checks")}
    # The checks really ran: each passed at least once (32 needs a policy: ProdWithGrants has one).
    assert {"CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163", "CKV_AWS_32"} <= passed | {
        check for check, _ in results(reports, "skipped_checks")
    }
    assert {"CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163"} <= passed


def test_the_organization_grant_carries_a_checkov_skip_with_its_reason(pattern_templates: dict[str, Path]) -> None:
    reports = checkov(pattern_templates["ProdWithGrants"])
    skipped = [c for r in reports for c in r.get("results", {}).get("skipped_checks", [])]
    assert [c["check_id"] for c in skipped] == ["CKV_AWS_32"]
    assert "aws:PrincipalOrgID" in skipped[0]["check_result"]["suppress_comment"]


def test_a_statement_opened_after_the_organization_grant_is_not_hidden_from_checkov(
    pattern_templates: dict[str, Path],
) -> None:
    # ecr-patterns writes no skip by itself: an opened statement is reported.
    reports = checkov(pattern_templates["OrgGrantThenOpened"])
    assert results(reports, "skipped_checks") == []
    assert results(reports, "failed_checks") == [("CKV_AWS_32", "OrgGrantThenOpened.template.json")]


def test_dev_repository_fails_only_the_tag_mutability_check_it_documents(pattern_templates: dict[str, Path]) -> None:
    assert results(checkov(pattern_templates["DevDefaults"]), "failed_checks") == [
        ("CKV_AWS_51", "DevDefaults.template.json")
    ]


def test_a_plain_repository_fails_the_checks_our_patterns_pass(tmp_path: Path) -> None:
    app = cdk.App(outdir=str(tmp_path))
    ecr.Repository(cdk.Stack(app, "Plain"), "Repo")
    app.synth()
    failed = {check for check, _ in results(checkov(tmp_path / "Plain.template.json"), "failed_checks")}
    assert failed == {"CKV_AWS_51", "CKV_AWS_136", "CKV_AWS_163"}


def test_the_registry_key_rotates_and_its_policy_passes_without_any_skip(
    pattern_templates: dict[str, Path],
) -> None:
    # The pull grants add no key statement (pulls go through ECR's grants), so nothing needs skipping.
    reports = checkov(pattern_templates["ProdWithRegistryKey"], checks=KEY_CHECKS)
    assert results(reports, "failed_checks") == []
    assert sorted(c for c, _ in results(reports, "passed_checks")) == ["CKV_AWS_33", "CKV_AWS_7"]
    assert results(reports, "skipped_checks") == []


def test_checkov_fails_a_key_policy_with_an_open_principal(tmp_path: Path) -> None:
    # The skip above is earned: the same key with an unrestricted statement fails CKV_AWS_33.
    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Opened", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    key = RegistryKey(stack, "Key")
    key.allow_pull_from_organization("o-a1b2c3d4e5")
    key.add_to_resource_policy(
        iam.PolicyStatement(actions=["kms:Decrypt"], principals=[iam.AnyPrincipal()], resources=["*"])
    )
    app.synth()
    reports = checkov(tmp_path / "Opened.template.json", checks=KEY_CHECKS)
    assert results(reports, "failed_checks") == [("CKV_AWS_33", "Opened.template.json")]
