"""``EcrCompliancePlugin``: the rules as a CDK validation plugin over the synthesized templates.

The recommended mechanism: it reads the rendered JSON once per synth (no call from Node into
Python per construct), sees every stack, nested stacks and stages included, and uses CDK's own
acknowledgements (``Validations.of(scope).acknowledge(...)`` with ``EcrPatterns::<rule id>``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Protocol

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
)

from ecr_patterns.core.compliance.engine import ComplianceConfig, check_templates, load_templates, without_suppressed
from ecr_patterns.core.compliance.model import Finding, Level, Rule

PLUGIN_NAME = "EcrPatterns"


@jsii.implements(IPolicyValidationPlugin)
class EcrCompliancePlugin:
    """ECR compliance rules for a whole app: ``Validations.of(app).add_plugins(EcrCompliancePlugin())``.

    Error-level findings fail ``cdk synth`` with the construct path and the fix; warning-level
    findings are printed on stderr and do not fail synth.

    :param rules: default every rule (``ecr_patterns.compliance.ALL_RULES``).
    :param levels: per rule id, ``"error"`` or ``"warning"``; default each rule's own level.
    :param require_kms: default ``False``; ``True`` makes non-KMS encryption a finding.
    :param require_customer_managed_key: default ``False``; ``True`` also makes the AWS managed key
        ``aws/ecr`` a finding (Security Hub ECR.5).
    """

    def __init__(
        self,
        *,
        rules: Sequence[Rule] | None = None,
        levels: Mapping[str, str | Level] | None = None,
        require_kms: bool = False,
        require_customer_managed_key: bool = False,
    ) -> None:
        self._config = ComplianceConfig.build(
            rules=rules,
            levels=levels,
            require_kms=require_kms,
            require_customer_managed_key=require_customer_managed_key,
        )
        self.last_findings: list[Finding] = []

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str | None:
        return package_version()

    @property
    def rule_ids(self) -> list[str] | None:
        return [r.id for r in self._config.rules]

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        stacks = [(s.template_path, (s.account_id, s.region)) for s in context.stack_templates]
        templates, environments = load_templates(stacks)
        findings = without_suppressed(check_templates(templates, self._config, environments=environments))
        self.last_findings = findings
        errors = [f for f in findings if f.level is Level.ERROR]
        for w in (f for f in findings if f.level is Level.WARNING):
            where = Path(w.template_path).name if w.template_path else "?"
            print(
                f"[Warning {PLUGIN_NAME}::{w.rule_id}] {w.logical_id} ({where}): {w.message}. Fix: {w.fix}",
                file=sys.stderr,
            )
        explanations = {r.id: r.explanation for r in self._config.rules}
        violations = [
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
        ]
        summaries = stage_summaries(errors)
        for summary in summaries:
            # The CDK CLI does not print a violation that names no resource: say it here.
            print(f"[Error {PLUGIN_NAME}::{summary.rule_name}] {summary.description}", file=sys.stderr)
        violations += summaries
        return PolicyValidationPluginReport(success=not errors, violations=violations)


def package_version() -> str | None:
    """The installed ecr-patterns version, which both plugins report to CDK; ``None`` when not installed."""
    try:
        return metadata.version("ecr-patterns")
    except metadata.PackageNotFoundError:
        return None


def _stage_of(template_path: str | None) -> str | None:
    """The path of the Stage a template belongs to (``Pipeline/Prod``), the form a ``cdk synth 'Pipeline/Prod/*'``
    selector takes. CDK writes a Stage's templates into ``assembly-<artifact id>/`` and names the Stage in the
    parent assembly's manifest (``displayName`` of its ``cdk:cloud-assembly`` artifact)."""
    if not template_path:
        return None
    folder = Path(template_path).parent
    if not folder.name.startswith("assembly-"):
        return None
    return _display_names(str(folder.parent)).get(folder.name, folder.name.removeprefix("assembly-"))


def _display_names(assembly: str) -> dict[str, str]:
    """``{directoryName: displayName}`` of the nested assemblies listed in an assembly's manifest."""
    try:
        artifacts = json.loads((Path(assembly) / "manifest.json").read_text(encoding="utf-8")).get("artifacts") or {}
    except (OSError, ValueError):
        return {}
    names = {}
    for artifact in artifacts.values():
        properties = artifact.get("properties") or {} if isinstance(artifact, dict) else {}
        if artifact.get("type") == "cdk:cloud-assembly" and "directoryName" in properties:
            names[str(properties["directoryName"])] = str(properties.get("displayName") or properties["directoryName"])
    return names


class Located(Protocol):
    """What a stage summary reads of a finding (a compliance ``Finding`` or a pattern's ``GuaranteeFinding``)."""

    @property
    def rule_id(self) -> str: ...
    @property
    def logical_id(self) -> str: ...
    @property
    def fix(self) -> str: ...
    @property
    def template_path(self) -> str | None: ...


def stage_summaries(errors: Sequence[Located], severity: str = "error") -> list[PolicyViolation]:
    """One violation per rule, without resources, for the error findings inside Stages.

    The CDK CLI shows a plugin's violations only for the stacks a command selects, and ``cdk synth`` with
    no stack named selects only top-level stacks: a failing repository in a Stage would leave it at exit 0.
    A violation that names no resource is shown (and fails synth) whatever the selection.
    """
    by_rule: dict[str, list[Located]] = {}
    for finding in errors:
        if _stage_of(finding.template_path) is not None:
            by_rule.setdefault(finding.rule_id, []).append(finding)
    summaries = []
    for rule_id, findings in by_rule.items():
        stages = sorted({str(_stage_of(f.template_path)) for f in findings})
        where = ", ".join(f"{f.logical_id} ({_stage_of(f.template_path)})" for f in findings)
        count = len(findings)
        summaries.append(
            PolicyViolation(
                rule_name=rule_id,
                description=(
                    f"{count} {'repository' if count == 1 else 'repositories'} in Stage {', '.join(stages)} "
                    f"{'fails' if count == 1 else 'fail'} {rule_id}: {where}. Each is listed with its construct path "
                    f"when its stacks are selected, e.g. cdk synth '{stages[0]}/*'"
                ),
                fix=findings[0].fix,
                severity=severity,
                violating_resources=[],
            )
        )
    return summaries
