"""``EcrCompliancePlugin``: the rules as a CDK validation plugin over the synthesized templates.

The recommended mechanism: it reads the rendered JSON once per synth (no call from Node into
Python per construct), sees every stack, nested stacks and stages included, and uses CDK's own
acknowledgements (``Validations.of(scope).acknowledge(...)`` with ``EcrPatterns::<rule id>``).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from ecr_patterns.compliance.engine import ComplianceConfig, check_templates, load_templates, without_suppressed
from ecr_patterns.compliance.model import Finding, Level, Rule

PLUGIN_NAME = "EcrPatterns"


@jsii.implements(IPolicyValidationPlugin)
class EcrCompliancePlugin:
    """ECR compliance rules for a whole app: ``Validations.of(app).add_plugins(EcrCompliancePlugin())``.

    Error-level findings fail ``cdk synth`` with the construct path and the fix; warning-level
    findings are printed on stderr and do not fail synth.

    :param rules: default every rule (``ecr_patterns.compliance.ALL_RULES``).
    :param levels: per rule id, ``"error"`` or ``"warning"``; default each rule's own level.
    :param require_kms: default ``False``; ``True`` makes non-KMS encryption a finding.
    """

    def __init__(
        self,
        *,
        rules: Sequence[Rule] | None = None,
        levels: Mapping[str, str | Level] | None = None,
        require_kms: bool = False,
    ) -> None:
        self._config = ComplianceConfig.build(rules=rules, levels=levels, require_kms=require_kms)
        self.last_findings: list[Finding] = []

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str | None:
        try:
            return metadata.version("ecr-patterns")
        except metadata.PackageNotFoundError:
            return None

    @property
    def rule_ids(self) -> list[str] | None:
        return [r.id for r in self._config.rules]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        findings = without_suppressed(check_templates(load_templates(context.template_paths), self._config))
        self.last_findings = findings
        errors = [f for f in findings if f.level is Level.ERROR]
        for w in (f for f in findings if f.level is Level.WARNING):
            where = Path(w.template_path).name if w.template_path else "?"
            print(
                f"[Warning {PLUGIN_NAME}::{w.rule_id}] {w.logical_id} ({where}): {w.message}. Fix: {w.fix}",
                file=sys.stderr,
            )
        explanations = {r.id: r.explanation for r in self._config.rules}
        return PolicyValidationPluginReport(
            success=not errors,
            violations=[
                PolicyViolation(
                    rule_name=f.rule_id,
                    description=f"{f.message}. {explanations.get(f.rule_id, '')}".strip(),
                    fix=f.fix,
                    severity=f.level.value,
                    violating_resources=[
                        PolicyViolatingResource(
                            resource_logical_id=f.logical_id, template_path=f.template_path, locations=[f.location]
                        )
                    ],
                )
                for f in errors
            ],
        )
