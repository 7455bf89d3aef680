"""ECR compliance rules, as a CDK validation plugin (recommended) or an Aspect.

Re-exports only, loaded on first use: the rules and the engine are plain Python.
"""

from __future__ import annotations

from ecr_patterns._lazy import lazy_exports

_LAZY = {
    "ALL_RULES": "ecr_patterns.core.compliance.rules",
    "Rule": "ecr_patterns.core.compliance.model",
    "Finding": "ecr_patterns.core.compliance.model",
    "Level": "ecr_patterns.core.compliance.model",
    "Outcome": "ecr_patterns.core.compliance.model",
    "RuleContext": "ecr_patterns.core.compliance.model",
    "ComplianceConfig": "ecr_patterns.core.compliance.engine",
    "check_templates": "ecr_patterns.core.compliance.engine",
    "EcrCompliancePlugin": "ecr_patterns.constructs.compliance.plugin",
    "EcrCompliance": "ecr_patterns.constructs.compliance.aspect",
    "add_compliance_everywhere": "ecr_patterns.constructs.compliance.aspect",
    "suppress": "ecr_patterns.constructs.compliance.suppressions",
    "mark_production": "ecr_patterns.constructs.compliance.marks",
    "acknowledge_scanner_findings": "ecr_patterns.constructs.scanners",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
