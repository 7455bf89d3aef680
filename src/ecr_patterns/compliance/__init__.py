"""ECR compliance rules, as a CDK validation plugin (recommended) or an Aspect.

Re-exports only, loaded on first use: the rules and the engine are plain Python.
"""

from __future__ import annotations

from ecr_patterns._lazy import lazy_exports

_LAZY = {
    "ALL_RULES": "ecr_patterns.compliance.rules",
    "Rule": "ecr_patterns.compliance.model",
    "Finding": "ecr_patterns.compliance.model",
    "Level": "ecr_patterns.compliance.model",
    "Outcome": "ecr_patterns.compliance.model",
    "RuleContext": "ecr_patterns.compliance.model",
    "ComplianceConfig": "ecr_patterns.compliance.engine",
    "check_templates": "ecr_patterns.compliance.engine",
    "EcrCompliancePlugin": "ecr_patterns.compliance.plugin",
    "EcrCompliance": "ecr_patterns.compliance.aspect",
    "add_compliance_everywhere": "ecr_patterns.compliance.aspect",
    "suppress": "ecr_patterns.compliance.suppressions",
    "mark_production": "ecr_patterns.compliance.marks",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
