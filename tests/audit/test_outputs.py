"""The audit's outputs people already consume: SARIF 2.1.0 checked by Microsoft's SARIF Multitool, ASFF checked
against botocore's Security Hub model (and accepted by moto's BatchImportFindings), and one self-contained HTML
page rendered in headless Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ecr_patterns.audit import AuditReport, audit, targets_for
from ecr_patterns.tools.audit.asff import BATCH_LIMIT, batches, to_asff
from ecr_patterns.tools.audit.catalog import AUDIT_RULES
from ecr_patterns.tools.audit.html import to_html
from ecr_patterns.tools.audit.sarif import to_sarif
from tests.audit.estate import offline_aws, seed_estate

moto = pytest.importorskip("moto")
boto3 = pytest.importorskip("boto3")
ROOT = Path(__file__).resolve().parents[2]
MULTITOOL = ROOT / ".tools" / "sarif" / "node_modules" / ".bin" / "sarif-multitool"
SARIF_SCHEMA = ROOT / ".tools" / "sarif" / "node_modules" / "@microsoft" / "sarif-multitool-linux" / "sarif-2.1.0.json"
"""The SARIF 2.1.0 schema as Microsoft's SARIF SDK ships it (JSON Schema 2020-12)."""


@pytest.fixture(scope="module")
def report() -> AuditReport:
    """One audit of a seeded estate, shared by the output tests (plain data: the emulator is gone)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        offline_aws(monkeypatch)
        with moto.mock_aws():
            session = boto3.Session(region_name="us-east-1")
            seed_estate(session)
            return audit(targets_for(["us-east-1"]), session=session)


def _validate_sarif(path: Path, tmp_path: Path) -> list[dict[str, Any]]:
    """The results of ``sarif-multitool validate`` on ``path`` (schema errors are JSON10xx at level error)."""
    if not MULTITOOL.exists():
        pytest.fail("the SARIF Multitool is missing: run `make setup`")
    out = tmp_path / f"{path.stem}.validation.sarif"
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1", "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    done = subprocess.run(
        [str(MULTITOOL), "validate", str(path), "--output", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert out.is_file(), done.stdout + done.stderr
    return list(json.loads(out.read_text())["runs"][0].get("results", []))


def _schema_errors(log: Any) -> list[str]:
    from jsonschema import Draft202012Validator

    if not SARIF_SCHEMA.is_file():
        pytest.fail("the SARIF Multitool is missing: run `make setup`")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in Draft202012Validator(schema).iter_errors(log)
    ]


def test_the_sarif_log_is_valid_against_the_sarif_2_1_0_schema(report: AuditReport) -> None:
    assert _schema_errors(to_sarif(report)) == []


def test_the_sarif_log_passes_the_sarif_multitools_validation(report: AuditReport, tmp_path: Path) -> None:
    path = tmp_path / "audit.sarif"
    path.write_text(json.dumps(to_sarif(report)))
    results = _validate_sarif(path, tmp_path)
    errors = [r for r in results if r.get("level", "warning") == "error"]
    assert errors == []


BROKEN = {
    "version": "2.1.0",
    "runs": [
        {
            "tool": {"driver": {"name": "x", "version": "1"}},
            "results": [
                {
                    "message": {"text": "m"},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"}, "region": {"startLine": 0}}}],
                }
            ],
        }
    ],
}


def test_both_validators_do_catch_a_broken_log(tmp_path: Path) -> None:
    # The checks above can fail: a region starting at line 0 breaks the schema's minimum of 1.
    assert any("startLine" in e for e in _schema_errors(BROKEN))
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(BROKEN))
    results = _validate_sarif(broken, tmp_path)
    assert any(r.get("level") == "error" and str(r.get("ruleId", "")).startswith("JSON") for r in results)


def test_an_unknown_level_is_caught_by_the_schema_though_the_multitool_misses_it(tmp_path: Path) -> None:
    # Measured with SARIF Multitool 5.7.0: a result level outside the enumeration makes `validate` report
    # nothing at all, which is why the schema check runs too.
    log = json.loads(json.dumps(BROKEN))
    log["runs"][0]["results"][0] = {"message": {"text": "m"}, "level": "fatal"}
    assert any("fatal" in e for e in _schema_errors(log))
    path = tmp_path / "level.sarif"
    path.write_text(json.dumps(log))
    assert _validate_sarif(path, tmp_path) == []


def test_sarif_results_are_located_by_repository_arn_and_carry_rule_metadata(report: AuditReport) -> None:
    log = to_sarif(report)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.id for r in AUDIT_RULES]
    assert all(r["help"]["text"] and r["defaultConfiguration"]["level"] in ("error", "warning", "note") for r in rules)
    scan = next(r for r in rules if r["id"] == "EcrPatterns-ScanOnPush")
    assert scan["properties"]["standards"]["securityHub"] == "ECR.1"
    plain = [r for r in run["results"] if r["properties"]["account"] and "plain-app" in json.dumps(r["locations"])]
    assert plain
    for result in plain:
        (logical,) = result["locations"][0]["logicalLocations"]
        assert logical == {
            "fullyQualifiedName": "arn:aws:ecr:us-east-1:123456789012:repository/plain-app",
            "name": "plain-app",
            "kind": "resource",
        }
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    fingerprints = [r["partialFingerprints"]["ecrPatternsFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_asff_findings_validate_against_botocores_security_hub_model(report: AuditReport) -> None:
    from botocore.validate import ParamValidator

    findings = to_asff(report)
    assert len(findings) == len(report.findings)
    client = boto3.client("securityhub", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    shape = client.meta.service_model.operation_model("BatchImportFindings").input_shape
    for batch in batches(findings):
        errors = ParamValidator().validate({"Findings": batch}, shape)
        assert not errors.has_errors(), errors.generate_report()
    plain = next(f for f in findings if f["GeneratorId"] == "ecr-patterns/EcrPatterns-ScanOnPush")
    assert plain["Resources"][0]["Type"] == "AwsEcrRepository"
    assert "securityHub:ECR.1" in plain["Compliance"]["RelatedRequirements"]
    assert plain["Severity"]["Label"] == "HIGH"


def test_asff_batches_hold_at_most_100_findings() -> None:
    many = [{"Id": str(i)} for i in range(2 * BATCH_LIMIT + 1)]
    assert [len(b) for b in batches(many)] == [100, 100, 1]


def test_security_hub_in_moto_imports_the_asff_findings(report: AuditReport, monkeypatch: pytest.MonkeyPatch) -> None:
    offline_aws(monkeypatch)
    findings = to_asff(report)
    with moto.mock_aws():
        hub = boto3.client("securityhub", region_name="us-east-1")
        answer = hub.batch_import_findings(Findings=findings[:BATCH_LIMIT])
        assert answer["FailedCount"] == 0
        assert answer["SuccessCount"] == len(findings[:BATCH_LIMIT])


def test_the_html_report_is_one_file_with_no_network_asset(report: AuditReport) -> None:
    page = to_html(report)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "<script" not in page
    assert "<link" not in page
    assert "url(" not in page
    assert "default-src 'none'" in page  # and Chromium enforces the page's own policy


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("Debian's chromium is missing: run `make setup` (it installs it with apt)")
    return found


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing can be fetched: the page must stand alone
]


def test_the_html_report_renders_in_chromium_and_shows_the_estates_numbers(report: AuditReport, tmp_path: Path) -> None:
    page = tmp_path / "audit.html"
    page.write_text(to_html(report), encoding="utf-8")
    profile = tmp_path / "profile"
    base = [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
    shot = tmp_path / "audit.png"
    subprocess.run(
        [*base, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    dom = subprocess.run(
        [*base, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    summary = report.to_json()["summary"]
    assert f'<span id="repositories">{summary["repositories"]} repositories</span>' in dom
    assert f'<span id="images">{summary["images"]} images</span>' in dom
    assert f"{summary['findings']['error']} errors" in dom
    for repository in report.repositories:
        assert repository.name in dom
    assert "<svg" in dom
    assert dom.count("<rect") >= 2 * len([r for r in report.repositories if r.stored_bytes])


def test_the_command_writes_each_format(report: AuditReport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from ecr_patterns.tools.cli import cli

    offline_aws(monkeypatch)
    with moto.mock_aws():
        seed_estate(boto3.Session(region_name="us-east-1"))
        for fmt in ("json", "sarif", "asff", "html", "table"):
            out = tmp_path / f"audit.{fmt}"
            result = CliRunner().invoke(
                cli, ["audit", "--region", "us-east-1", "--format", fmt, "--output", str(out), "--fail-on", "never"]
            )
            assert result.exit_code == 0, result.output
            text = out.read_text()
            if fmt == "html":
                assert text.startswith("<!DOCTYPE html>")
            elif fmt == "table":
                assert "Repositories" in text
            else:
                json.loads(text)
