"""The hardened bootstrap template and the scanners: cfn-lint finds no error, and checkov's ECR checks pass
(CKV_AWS_136 only with KMS, which an existing bootstrap cannot take: its encryption is create-only)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecr_patterns.bootstrap import harden_bootstrap_template
from tests.scanners.test_cfn_lint import cfn_lint_errors
from tests.scanners.test_checkov import checkov, results

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "node_modules" / "aws-cdk" / "lib" / "api" / "bootstrap" / "bootstrap-template.yaml"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    text = BUNDLED.read_text(encoding="utf-8")
    out = tmp_path_factory.mktemp("bootstrap")
    found = {}
    for name, options in {
        "original": None,
        "existing": {"existing": True},
        "new-kms": {"kms_key_arn": "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    }.items():
        path = out / f"{name}.yaml"
        path.write_text(text if options is None else harden_bootstrap_template(text, **options).text)
        found[name] = path
    return found


def _ecr(reports: list[dict[str, object]], kind: str) -> set[str]:
    return {check for check, _ in results(reports, kind)}


def test_the_hardened_templates_have_no_cfn_lint_errors(templates: dict[str, Path]) -> None:
    assert cfn_lint_errors(templates["existing"], templates["new-kms"]) == []


def test_checkov_fails_the_cli_template_on_scanning_and_encryption(templates: dict[str, Path]) -> None:
    assert _ecr(checkov(templates["original"]), "failed_checks") == {"CKV_AWS_163", "CKV_AWS_136"}


def test_checkov_passes_the_hardened_template_but_encryption_on_an_existing_bootstrap(
    templates: dict[str, Path],
) -> None:
    existing = checkov(templates["existing"])
    assert _ecr(existing, "failed_checks") == {"CKV_AWS_136"}
    assert {"CKV_AWS_163", "CKV_AWS_51"} <= _ecr(existing, "passed_checks")
    new = checkov(templates["new-kms"])
    assert _ecr(new, "failed_checks") == set()
    assert {"CKV_AWS_163", "CKV_AWS_51", "CKV_AWS_136"} <= _ecr(new, "passed_checks")
