"""Live audit: every repository an estate really has, judged with the synth-time rules, and what each
lifecycle policy really does. Re-exports only (plain Python; boto3 from ``ecr-patterns[aws]``)."""

from __future__ import annotations

from ecr_patterns.audit.judge import as_template_resource, judge_estate
from ecr_patterns.audit.reader import READ_ONLY_PREFIXES, LiveRegistry, LiveRepository, Target, read_estate
from ecr_patterns.audit.report import SCHEMA_VERSION, AuditFinding, AuditReport, compare_to_baseline
from ecr_patterns.audit.run import audit, targets_for
from ecr_patterns.audit.standards import STANDARDS, Standards

__all__ = [
    "READ_ONLY_PREFIXES",
    "SCHEMA_VERSION",
    "STANDARDS",
    "AuditFinding",
    "AuditReport",
    "LiveRegistry",
    "LiveRepository",
    "Standards",
    "Target",
    "as_template_resource",
    "audit",
    "compare_to_baseline",
    "judge_estate",
    "read_estate",
    "targets_for",
]
