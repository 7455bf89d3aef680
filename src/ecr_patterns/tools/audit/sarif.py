"""The audit as SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.

Each finding's location is logical (the repository ARN, kind ``resource``), as SARIF 2.1.0 section 3.33 provides
for results that are not in a file. GitHub's "SARIF support for code scanning" page asks for a physical location
too, so each result also names a stable pseudo-path ``aws/ecr/<account>/<region>/<repository>``; that GitHub then
displays the alert is not verified here (no GitHub is reachable). ``partialFingerprints`` carry a hash of
(rule, account, region, resource), so a re-upload matches the same alerts.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from typing import Any

from ecr_patterns.tools.audit.catalog import AUDIT_RULES
from ecr_patterns.tools.audit.report import AuditFinding, AuditReport
from ecr_patterns.tools.audit.standards import STANDARDS

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/ecr-patterns/"


def _version() -> str:
    try:
        return metadata.version("ecr-patterns")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def _pseudo_path(finding: AuditFinding) -> str:
    return "/".join(
        ["aws", "ecr", finding.account or "unknown-account", finding.region, finding.repository or "registry"]
    )


def _fingerprint(finding: AuditFinding) -> str:
    return hashlib.sha256("\x1f".join(finding.key).encode()).hexdigest()


def to_sarif(report: AuditReport) -> dict[str, Any]:
    """The report as one SARIF 2.1.0 log with one run."""
    rules = list(AUDIT_RULES)
    index = {rule.id: i for i, rule in enumerate(rules)}
    descriptors = []
    for rule in rules:
        standards = STANDARDS.get(rule.id)
        tags = ["security", "aws", "ecr"] + ([standards.security_hub] if standards and standards.security_hub else [])
        descriptors.append(
            {
                "id": rule.id,
                "name": rule.id.removeprefix("EcrPatterns-"),
                "shortDescription": {"text": rule.explanation.split(": ")[0].rstrip(".") + "."},
                "fullDescription": {"text": rule.explanation},
                "help": {
                    "text": f"{rule.explanation} Fix: {rule.fix}",
                    "markdown": f"{rule.explanation}\n\n**Fix:** {rule.fix}",
                },
                "helpUri": INFORMATION_URI,
                "defaultConfiguration": {"level": rule.level},
                "properties": {"tags": tags, **({"standards": standards.to_json()} if standards else {})},
            }
        )
    results = []
    for finding in report.findings:
        logical = {
            "fullyQualifiedName": finding.arn or f"arn:aws:ecr:{finding.region}:{finding.account or ''}:registry",
            "name": finding.repository or "registry",
            "kind": "resource",
        }
        result: dict[str, Any] = {
            "ruleId": finding.rule_id,
            "level": finding.level,
            "message": {"text": f"{finding.message}. Fix: {finding.fix}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": _pseudo_path(finding)},
                        "region": {"startLine": 1},
                    },
                    "logicalLocations": [logical],
                }
            ],
            "partialFingerprints": {"ecrPatternsFinding/v1": _fingerprint(finding)},
            "properties": {
                "account": finding.account,
                "region": finding.region,
                "standards": dict(finding.standards),
                **({"disagreement": finding.disagreement} if finding.disagreement else {}),
            },
        }
        if finding.rule_id in index:
            result["ruleIndex"] = index[finding.rule_id]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ecr-patterns audit",
                        "version": _version(),
                        "semanticVersion": _version(),
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "invocations": [
                    {"executionSuccessful": True, "endTimeUtc": report.generated_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
                ],
                "results": results,
            }
        ],
    }
