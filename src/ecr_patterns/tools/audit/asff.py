"""The audit as AWS Security Finding Format findings, ready for Security Hub ``BatchImportFindings``.

Field names and types follow botocore's ``securityhub`` service model (``AwsSecurityFinding``); the tests validate
every finding against that model with botocore's own parameter validator. ``BatchImportFindings`` takes at most
100 findings a call (Security Hub API reference), so :func:`batches` splits them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from ecr_patterns.tools.audit.report import AuditFinding, AuditReport

SCHEMA_VERSION = "2018-10-08"
BATCH_LIMIT = 100
SEVERITY = {"error": "HIGH", "warning": "MEDIUM", "note": "INFORMATIONAL"}
TYPES = ["Software and Configuration Checks/AWS Security Best Practices"]


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def _resource(finding: AuditFinding) -> dict[str, Any]:
    region, partition = finding.region, _partition(finding.region)
    if finding.arn:
        return {
            "Type": "AwsEcrRepository",
            "Id": finding.arn,
            "Partition": partition,
            "Region": region,
            "Details": {"AwsEcrRepository": {"Arn": finding.arn, "RepositoryName": finding.repository or ""}},
        }
    return {
        "Type": "AwsAccount",
        "Id": f"AWS::::Account:{finding.account or ''}",
        "Partition": partition,
        "Region": region,
    }


def to_asff(report: AuditReport, *, product_account: str | None = None) -> list[dict[str, Any]]:
    """One ASFF finding per audit finding. ``product_account`` (default ``None``: the finding's own account) is
    the account whose ``default`` product integration receives the findings."""
    stamp = report.generated_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    out = []
    for finding in report.findings:
        account = finding.account or product_account or ""
        product = product_account or account
        partition = _partition(finding.region)
        digest = hashlib.sha256("\x1f".join(finding.key).encode()).hexdigest()[:32]
        standards = {k: v for k, v in finding.standards.items() if v}
        entry: dict[str, Any] = {
            "SchemaVersion": SCHEMA_VERSION,
            "Id": f"ecr-patterns/{finding.rule_id}/{digest}",
            "ProductArn": f"arn:{partition}:securityhub:{finding.region}:{product}:product/{product}/default",
            "GeneratorId": f"ecr-patterns/{finding.rule_id}",
            "AwsAccountId": account,
            "Types": TYPES,
            "CreatedAt": stamp,
            "UpdatedAt": stamp,
            "Severity": {"Label": SEVERITY.get(finding.level, "LOW")},
            "Title": f"{finding.rule_id}: {finding.repository or 'registry'}"[:256],
            "Description": finding.message[:1024],
            "Remediation": {"Recommendation": {"Text": finding.fix[:512]}},
            "Resources": [_resource(finding)],
            "Compliance": {
                "Status": "FAILED" if finding.rule_id != "EcrPatterns-CouldNotRead" else "WARNING",
                **({"RelatedRequirements": [f"{k}:{v}" for k, v in standards.items()]} if standards else {}),
            },
            "RecordState": "ACTIVE",
            "Workflow": {"Status": "NEW"},
            "ProductFields": {
                "ecr-patterns/RuleId": finding.rule_id,
                **({"ecr-patterns/Disagreement": finding.disagreement[:1024]} if finding.disagreement else {}),
            },
        }
        out.append(entry)
    return out


def batches(findings: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The findings in ``BatchImportFindings``-sized lists."""
    for start in range(0, len(findings), BATCH_LIMIT):
        yield list(findings[start : start + BATCH_LIMIT])
