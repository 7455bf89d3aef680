"""The audit's result: findings per repository with the other tools' ids, and JSON in a versioned schema."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

SCHEMA_VERSION = 1
"""The ``schemaVersion`` of the JSON report; README documents every field of this version."""

COULD_NOT_READ = "EcrPatterns-CouldNotRead"


@dataclass(frozen=True)
class AuditFinding:
    """One rule's finding on one live repository (or a registry, for what could not be read)."""

    rule_id: str
    level: str
    account: str | None
    region: str
    repository: str | None
    arn: str | None
    message: str
    fix: str
    standards: Mapping[str, str | None] = field(default_factory=dict)
    disagreement: str | None = None
    location: str | None = None
    subject: str | None = None
    """What in the resource the finding is about, when a rule can find several things in one resource (a
    lifecycle rule's priority, the part that could not be read)."""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What identifies the finding across runs (``--baseline``, SARIF fingerprints): rule, account, region,
        resource and subject."""
        return (self.rule_id, self.account or "", self.region, self.arn or self.repository or "", self.subject or "")

    def to_json(self) -> dict[str, Any]:
        return {
            "ruleId": self.rule_id,
            "level": self.level,
            "account": self.account,
            "region": self.region,
            "repository": self.repository,
            "repositoryArn": self.arn,
            "message": self.message,
            "fix": self.fix,
            "location": self.location,
            "standards": dict(self.standards),
            "disagreement": self.disagreement,
            "subject": self.subject,
        }


@dataclass
class RepositoryResult:
    name: str
    arn: str
    account: str
    region: str
    images: int | None
    stored_bytes: int | None
    lifecycle: Mapping[str, Any] | None
    verdicts: Mapping[str, Any]
    findings: list[AuditFinding] = field(default_factory=list)
    creation_template: str | None = None
    """The prefix of the creation template that matches the repository's name, if any."""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "account": self.account,
            "region": self.region,
            "images": self.images,
            "storedBytes": self.stored_bytes,
            "lifecycle": dict(self.lifecycle) if self.lifecycle is not None else None,
            "otherTools": dict(self.verdicts),
            "creationTemplate": self.creation_template,
            "findingCount": len(self.findings),
        }


@dataclass
class AuditReport:
    generated_at: datetime
    scope: Mapping[str, Any]
    registries: list[Mapping[str, Any]]
    repositories: list[RepositoryResult]
    findings: list[AuditFinding]

    def counts(self) -> dict[str, int]:
        return {
            "error": sum(1 for f in self.findings if f.level == "error"),
            "warning": sum(1 for f in self.findings if f.level == "warning"),
        }

    def exit_code(self, fail_on: str) -> int:
        """0, or 1 when a finding is at ``fail_on``'s level or above (``error``, ``warning``, ``never``)."""
        counts = self.counts()
        if fail_on == "never":
            return 0
        if fail_on == "warning":
            return 1 if counts["error"] + counts["warning"] else 0
        return 1 if counts["error"] else 0

    def to_json(self) -> dict[str, Any]:
        lifecycle = [r.lifecycle for r in self.repositories if r.lifecycle is not None]
        return {
            "schemaVersion": SCHEMA_VERSION,
            "tool": "ecr-patterns audit",
            "generatedAt": self.generated_at.isoformat(),
            "scope": dict(self.scope),
            "summary": {
                "registries": len(self.registries),
                "repositories": len(self.repositories),
                "images": sum(r.images or 0 for r in self.repositories),
                "storedBytes": sum(r.stored_bytes or 0 for r in self.repositories),
                "expiringBytes": sum(int(x["expiringBytes"]) for x in lifecycle),
                "archivingBytes": sum(int(x["archivingBytes"]) for x in lifecycle),
                "findings": self.counts(),
            },
            "registries": [dict(r) for r in self.registries],
            "repositories": [r.to_json() for r in self.repositories],
            "findings": [f.to_json() for f in self.findings],
        }


def compare_to_baseline(
    findings: Iterable[AuditFinding], baseline: Mapping[str, Any]
) -> tuple[list[AuditFinding], list[dict[str, Any]]]:
    """``(new findings, fixed findings)`` against a previous run's JSON report."""
    old = {_key_of(f): f for f in baseline.get("findings", []) if isinstance(f, Mapping)}
    current = list(findings)
    keys = {f.key for f in current}
    return [f for f in current if f.key not in old], [dict(f) for k, f in old.items() if k not in keys]


def _key_of(finding: Mapping[str, Any]) -> tuple[str, str, str, str, str]:
    resource = str(finding.get("repositoryArn") or finding.get("repository") or "")
    rule, account, region = (
        str(finding.get("ruleId", "")),
        str(finding.get("account") or ""),
        str(finding.get("region", "")),
    )
    return (rule, account, region, resource, str(finding.get("subject") or ""))
