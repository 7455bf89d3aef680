"""ECR compliance rules, as a CDK validation plugin (recommended) or an Aspect.

Re-exports only, loaded on first use: the rules and the engine are plain Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports

if TYPE_CHECKING:
    from ecr_patterns.constructs.compliance.aspect import EcrCompliance as EcrCompliance
    from ecr_patterns.constructs.compliance.aspect import add_compliance_everywhere as add_compliance_everywhere
    from ecr_patterns.constructs.compliance.marks import mark_production as mark_production
    from ecr_patterns.constructs.compliance.plugin import EcrCompliancePlugin as EcrCompliancePlugin
    from ecr_patterns.constructs.compliance.suppressions import suppress as suppress
    from ecr_patterns.constructs.scanners import acknowledge_scanner_findings as acknowledge_scanner_findings
    from ecr_patterns.core.compliance.engine import ComplianceConfig as ComplianceConfig
    from ecr_patterns.core.compliance.engine import check_templates as check_templates
    from ecr_patterns.core.compliance.model import Finding as Finding
    from ecr_patterns.core.compliance.model import Level as Level
    from ecr_patterns.core.compliance.model import Outcome as Outcome
    from ecr_patterns.core.compliance.model import Rule as Rule
    from ecr_patterns.core.compliance.model import RuleContext as RuleContext
    from ecr_patterns.core.compliance.rules import ALL_RULES as ALL_RULES

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

__all__ = [
    "ALL_RULES",
    "ComplianceConfig",
    "EcrCompliance",
    "EcrCompliancePlugin",
    "Finding",
    "Level",
    "Outcome",
    "Rule",
    "RuleContext",
    "acknowledge_scanner_findings",
    "add_compliance_everywhere",
    "check_templates",
    "mark_production",
    "suppress",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
