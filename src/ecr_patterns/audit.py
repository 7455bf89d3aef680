"""Live audit: every repository an estate really has, judged with the synth-time rules, and what each
lifecycle policy really does. Re-exports only (plain Python; boto3 from ``ecr-patterns[aws]``).

The steps and constants inside stay importable from their modules (``ecr_patterns.tools.audit.reader``, ``.judge``,
``.report``, ``.standards``); adoption, built on the reader, is ``ecr_patterns.tools.audit.adopt``."""

from __future__ import annotations

from ecr_patterns.tools.audit.reader import Target
from ecr_patterns.tools.audit.report import AuditFinding, AuditReport, compare_to_baseline
from ecr_patterns.tools.audit.run import audit, targets_for

__all__ = [
    "AuditFinding",
    "AuditReport",
    "Target",
    "audit",
    "compare_to_baseline",
    "targets_for",
]
