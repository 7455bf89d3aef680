"""Run the rules over rendered templates: one place for crashes, levels and suppressions.

Plain Python (no ``aws_cdk``): the validation plugin feeds it template files, the Aspect feeds
it one resolved resource at a time, and tests feed it dicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecr_patterns.compliance.model import (
    REPOSITORY_TYPE,
    SUPPRESSIONS_KEY,
    Finding,
    Level,
    Rule,
    RuleContext,
    Status,
)
from ecr_patterns.compliance.rules import ALL_RULES
from ecr_patterns.errors import ValidationError, Violation

SCANNING_TYPE = "AWS::ECR::RegistryScanningConfiguration"


@dataclass(frozen=True)
class ComplianceConfig:
    """Which rules run, at which level, and app-wide requirements.

    :param rules: default every rule in ``ALL_RULES``.
    :param levels: per rule id, ``"error"`` or ``"warning"``; default each rule's own level.
    :param require_kms: default ``False``; ``True`` makes AES256 an EcrPatterns-Encryption finding.
    """

    rules: tuple[Rule, ...] = ALL_RULES
    levels: Mapping[str, Level] = field(default_factory=dict)
    require_kms: bool = False

    @classmethod
    def build(
        cls,
        *,
        rules: Sequence[Rule] | None = None,
        levels: Mapping[str, str | Level] | None = None,
        require_kms: bool = False,
    ) -> ComplianceConfig:
        chosen = tuple(rules) if rules is not None else ALL_RULES
        known = {r.id for r in chosen}
        problems = [
            Violation("levels", rule_id, f"unknown rule id; known: {', '.join(sorted(known))}")
            for rule_id in (levels or {})
            if rule_id not in known
        ]
        parsed: dict[str, Level] = {}
        for rule_id, level in (levels or {}).items():
            try:
                parsed[rule_id] = Level(str(level).lower())
            except ValueError:
                problems.append(Violation(f"levels[{rule_id!r}]", level, "use 'error' or 'warning'"))
        if problems:
            raise ValidationError(problems, context="compliance configuration")
        return cls(rules=chosen, levels=parsed, require_kms=require_kms)

    def level_of(self, rule: Rule) -> Level:
        return self.levels.get(rule.id, rule.level)


def registry_scan_filters(templates: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    """Repository filters of every registry scanning rule that scans on push or continuously."""
    filters: list[str] = []
    for template in templates:
        for resource in (template.get("Resources") or {}).values():
            if resource.get("Type") != SCANNING_TYPE:
                continue
            for rule in (resource.get("Properties") or {}).get("Rules") or []:
                if rule.get("ScanFrequency") in ("SCAN_ON_PUSH", "CONTINUOUS_SCAN"):
                    filters += [
                        f.get("Filter") for f in rule.get("RepositoryFilters") or [] if isinstance(f.get("Filter"), str)
                    ]
    return tuple(filters)


def suppressions_of(resource: Mapping[str, Any]) -> dict[str, str]:
    """``{rule id: reason}`` from the resource's template metadata."""
    entries = (resource.get("Metadata") or {}).get(SUPPRESSIONS_KEY) or []
    return {e["id"]: e.get("reason", "") for e in entries if isinstance(e, Mapping) and "id" in e}


def check_resource(
    logical_id: str,
    resource: Mapping[str, Any],
    ctx: RuleContext,
    config: ComplianceConfig,
    *,
    template_path: str | None = None,
) -> list[Finding]:
    """Every finding of every rule on one repository, suppressed ones marked with their reason."""
    if resource.get("Type") != REPOSITORY_TYPE:
        return []
    suppressed = suppressions_of(resource)
    findings = []
    for rule in config.rules:
        try:
            outcome = rule.check(resource, ctx)
        except Exception as err:  # a crashing rule is a finding, never a crashed synth
            findings.append(
                Finding(
                    rule.id,
                    Level.ERROR,
                    logical_id,
                    f"the rule raised {type(err).__name__}: {err}",
                    "report this to ecr-patterns; suppress the rule on this resource meanwhile",
                    template_path=template_path,
                    suppressed_reason=suppressed.get(rule.id),
                )
            )
            continue
        if outcome.status is Status.NON_COMPLIANT:
            findings.append(
                Finding(
                    rule.id,
                    config.level_of(rule),
                    logical_id,
                    outcome.message,
                    rule.fix,
                    outcome.location,
                    template_path,
                    suppressed.get(rule.id),
                )
            )
    return findings


def check_templates(templates: Mapping[str, Mapping[str, Any]], config: ComplianceConfig) -> list[Finding]:
    """Findings over whole templates (``{path: template}``), registry scanning seen app-wide."""
    filters = registry_scan_filters(templates.values())
    findings: list[Finding] = []
    for path, template in templates.items():
        for logical_id, resource in (template.get("Resources") or {}).items():
            if resource.get("Type") == REPOSITORY_TYPE:
                ctx = RuleContext(logical_id, template, filters, config.require_kms)
                findings += check_resource(logical_id, resource, ctx, config, template_path=path)
    return findings


def load_templates(paths: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The given templates plus the nested-stack templates beside them (``*.nested.template.json``),
    which CDK does not list among a plugin's template paths."""
    found: dict[str, dict[str, Any]] = {}
    folders: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        folders.add(path.parent)
        found[str(path)] = json.loads(path.read_text(encoding="utf-8"))
    for folder in folders:
        for nested in sorted(folder.glob("*.nested.template.json")):
            if str(nested) not in found:
                found[str(nested)] = json.loads(nested.read_text(encoding="utf-8"))
    return found


def without_suppressed(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.suppressed_reason is None]


__all__ = [
    "ComplianceConfig",
    "check_resource",
    "check_templates",
    "load_templates",
    "registry_scan_filters",
    "suppressions_of",
    "without_suppressed",
]
