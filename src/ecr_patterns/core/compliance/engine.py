"""Run the rules over rendered templates: one place for crashes, levels and suppressions.

Plain Python (no ``aws_cdk``): the validation plugin feeds it template files, the Aspect feeds
it one resolved resource at a time, and tests feed it dicts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecr_patterns.core.compliance.model import (
    REPOSITORY_TYPE,
    Finding,
    Level,
    Rule,
    RuleContext,
    Status,
)
from ecr_patterns.core.compliance.rules import ALL_RULES, PATTERN_RULES
from ecr_patterns.core.compliance.rules.open_access import RULE as OPEN_ACCESS_RULE
from ecr_patterns.core.compliance.rules.open_access import check_policy
from ecr_patterns.core.environment import AGNOSTIC, Environment, covers, environment
from ecr_patterns.core.errors import Code, ValidationError, Violation
from ecr_patterns.core.guarantees import auto_deleted, pattern_of, suppressed_rules
from ecr_patterns.core.presets import PRESETS, weakenings
from ecr_patterns.core.settings import RepositorySettings
from ecr_patterns.core.settings import document as _document

SCANNING_TYPE = "AWS::ECR::RegistryScanningConfiguration"
OPEN_ACCESS_ID = OPEN_ACCESS_RULE.id


@dataclass(frozen=True)
class ComplianceConfig:
    """Which rules run, at which level, and app-wide requirements.

    :param rules: default every rule in ``ALL_RULES``.
    :param levels: per rule id, ``"error"`` or ``"warning"``; default each rule's own level.
    :param require_kms: default ``False``; ``True`` makes AES256 an EcrPatterns-Encryption finding.
    :param require_customer_managed_key: default ``False``; ``True`` also makes the AWS managed key
        ``aws/ecr`` a finding (Security Hub ECR.5): in a template, a ``KmsKey`` left out or naming
        ``alias/aws/ecr``; in a live audit, a key ``kms:DescribeKey`` reports as AWS managed.
    """

    rules: tuple[Rule, ...] = ALL_RULES
    levels: Mapping[str, Level] = field(default_factory=dict)
    require_kms: bool = False
    require_customer_managed_key: bool = False

    @classmethod
    def build(
        cls,
        *,
        rules: Sequence[Rule] | None = None,
        levels: Mapping[str, str | Level] | None = None,
        require_kms: bool = False,
        require_customer_managed_key: bool = False,
    ) -> ComplianceConfig:
        chosen = tuple(rules) if rules is not None else ALL_RULES
        known = {r.id for r in chosen}
        problems = [
            Violation(
                "levels", rule_id, f"unknown rule id; known: {', '.join(sorted(known))}", code=Code.COMPLIANCE_CONFIG
            )
            for rule_id in (levels or {})
            if rule_id not in known
        ]
        parsed: dict[str, Level] = {}
        for rule_id, level in (levels or {}).items():
            try:
                parsed[rule_id] = Level(str(level).lower())
            except ValueError:
                problems.append(
                    Violation(f"levels[{rule_id!r}]", level, "use 'error' or 'warning'", code=Code.COMPLIANCE_CONFIG)
                )
        if problems:
            raise ValidationError(problems, context="compliance configuration")
        return cls(
            rules=chosen,
            levels=parsed,
            require_kms=require_kms,
            require_customer_managed_key=require_customer_managed_key,
        )

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


PULL_TIME_EXCLUSION_TYPE = "AWS::ECR::PullTimeUpdateExclusion"


def pull_time_exclusions(templates: Iterable[Mapping[str, Any]]) -> int:
    """How many pull-time update exclusions the templates define."""
    return sum(
        1
        for template in templates
        for resource in (template.get("Resources") or {}).values()
        if resource.get("Type") == PULL_TIME_EXCLUSION_TYPE
    )


def suppressions_of(resource: Mapping[str, Any]) -> dict[str, str]:
    """``{rule id: reason}`` from the resource's template metadata."""
    return suppressed_rules(resource)


def _reported_by_pattern(resource: Mapping[str, Any], settings: RepositorySettings) -> frozenset[str]:
    """Rule ids whose warning the pattern's own guarantees plugin already gives for this resource (each deviation
    is reported once): its weakened defaults and the rules of ``PATTERN_RULES``."""
    pattern = pattern_of(resource)
    if pattern is None:
        return frozenset()
    preset = PRESETS[pattern["preset"]]
    return frozenset({w.rule_id for w in weakenings(settings, preset)} | {r.id for r in PATTERN_RULES})


def check_resource(
    logical_id: str,
    resource: Mapping[str, Any] | RepositorySettings,
    ctx: RuleContext,
    config: ComplianceConfig,
    *,
    template_path: str | None = None,
    suppressed: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Every finding of every rule on one repository, suppressed ones marked with their reason.

    ``resource``: a template's ``AWS::ECR::Repository`` (read into the model here, its metadata's suppressions
    honoured) or a :class:`RepositorySettings` already read (a live repository). A warning-level finding that a
    pattern's guarantees plugin already reports is left out; error-level findings always stand.
    """
    if isinstance(resource, RepositorySettings):
        settings, skip, suppressions = resource, frozenset[str](), dict(suppressed or {})
    else:
        if resource.get("Type") != REPOSITORY_TYPE:
            return []
        settings = RepositorySettings.from_template(resource, auto_delete_images=ctx.auto_delete_images)
        skip, suppressions = _reported_by_pattern(resource, settings), suppressions_of(resource)
    findings = []
    for rule in config.rules:
        try:
            outcome = rule.check(settings, ctx)
        except Exception as err:  # a crashing rule is a finding, never a crashed synth
            findings.append(
                Finding(
                    rule.id,
                    Level.ERROR,
                    logical_id,
                    f"the rule raised {type(err).__name__}: {err}",
                    "report this to ecr-patterns; suppress the rule on this resource meanwhile",
                    template_path=template_path,
                    suppressed_reason=suppressions.get(rule.id),
                )
            )
            continue
        if outcome.status is Status.NON_COMPLIANT:
            level = config.level_of(rule)
            if level is Level.WARNING and rule.id in skip:
                continue
            findings.append(
                Finding(
                    rule.id,
                    level,
                    logical_id,
                    outcome.message,
                    rule.fix,
                    outcome.location,
                    template_path,
                    suppressions.get(rule.id),
                )
            )
    return findings


def environment_contexts(
    templates: Mapping[str, Mapping[str, Any]],
    environments: Mapping[str, Environment] | None = None,
    config: ComplianceConfig | None = None,
) -> Iterator[tuple[str, str, Mapping[str, Any], RuleContext]]:
    """``(template path, logical id, resource, context)`` for every repository of the templates, each with the
    app-wide facts of its own account and region: registry scanning filters and pull-time update exclusions
    count only for the repositories of the same environment (``environments``: ``{path: (account, region)}``, a
    missing path is environment-agnostic)."""
    config = config or ComplianceConfig()
    envs = environments or {}
    by_env: dict[Environment, list[Mapping[str, Any]]] = {}
    for path, template in templates.items():
        by_env.setdefault(envs.get(path, AGNOSTIC), []).append(template)
    filters = {env: registry_scan_filters(group) for env, group in by_env.items()}
    exclusions = {env: pull_time_exclusions(group) for env, group in by_env.items()}
    for path, template in templates.items():
        env = envs.get(path, AGNOSTIC)
        scanned = tuple(f for other, fs in filters.items() if covers(other, env) for f in fs)
        resources = template.get("Resources") or {}
        emptied: frozenset[str] | None = None
        for logical_id, resource in resources.items():
            if resource.get("Type") != REPOSITORY_TYPE:
                continue
            if emptied is None:
                emptied = auto_deleted(resources)
            yield (
                path,
                logical_id,
                resource,
                RuleContext(
                    logical_id,
                    template,
                    scanned,
                    config.require_kms,
                    config.require_customer_managed_key,
                    pull_time_exclusions=sum(n for other, n in exclusions.items() if covers(other, env)),
                    auto_delete_images=logical_id in emptied,
                ),
            )


POLICY_RESOURCES = {
    "AWS::ECR::RegistryPolicy": ("PolicyText", "Properties.PolicyText"),
    "AWS::ECR::RepositoryCreationTemplate": ("RepositoryPolicy", "Properties.RepositoryPolicy"),
}
"""Resources that hold a policy EcrPatterns-OpenAccess judges besides repositories: the registry policy, and the
repository policy a creation template gives every repository ECR creates with it."""


def check_policy_resources(templates: Mapping[str, Mapping[str, Any]], config: ComplianceConfig) -> list[Finding]:
    """EcrPatterns-OpenAccess on registry policies and creation templates (when the rule is configured)."""
    rule = next((r for r in config.rules if r.id == OPEN_ACCESS_ID), None)
    if rule is None:
        return []
    findings = []
    for path, template in templates.items():
        for logical_id, resource in (template.get("Resources") or {}).items():
            kind = POLICY_RESOURCES.get(resource.get("Type"))
            if kind is None:
                continue
            document = _document((resource.get("Properties") or {}).get(kind[0]))
            outcome = check_policy(document, kind[1])
            if outcome.status is Status.NON_COMPLIANT:
                findings.append(
                    Finding(
                        rule.id,
                        config.level_of(rule),
                        logical_id,
                        outcome.message,
                        rule.fix,
                        outcome.location,
                        path,
                        suppressions_of(resource).get(rule.id),
                    )
                )
    return findings


def check_templates(
    templates: Mapping[str, Mapping[str, Any]],
    config: ComplianceConfig,
    *,
    environments: Mapping[str, Environment] | None = None,
) -> list[Finding]:
    """Findings over whole templates (``{path: template}``): every repository, and the registry policies and
    creation templates' policies for EcrPatterns-OpenAccess. Registry scanning counts only for the repositories
    of its own account and region (``environments``: ``{path: (account, region)}``, a missing path is
    environment-agnostic)."""
    findings: list[Finding] = []
    for path, logical_id, resource, ctx in environment_contexts(templates, environments, config):
        findings += check_resource(logical_id, resource, ctx, config, template_path=path)
    return findings + check_policy_resources(templates, config)


def load_templates(
    stacks: Iterable[tuple[str, Environment]] | Iterable[str],
) -> tuple[dict[str, dict[str, Any]], dict[str, Environment]]:
    """The given stack templates plus their nested-stack templates (``*.nested.template.json`` beside
    them, which CDK does not list among a plugin's template paths), and each template's environment.

    ``stacks``: template paths, or ``(path, (account, region))`` pairs. A nested template takes the
    environment of the stack whose asset manifest (``<stack>.assets.json``) lists it; one listed by none
    is environment-agnostic.
    """
    found: dict[str, dict[str, Any]] = {}
    environments: dict[str, Environment] = {}
    folders: set[Path] = set()
    for item in stacks:
        raw, (account, region) = (item, AGNOSTIC) if isinstance(item, str) else item
        env = environment(account, region)
        path = Path(raw)
        folders.add(path.parent)
        found[str(path)] = json.loads(path.read_text(encoding="utf-8"))
        environments[str(path)] = env
        for nested in _nested_templates_of(path):
            environments.setdefault(str(nested), env)
    for folder in folders:
        for nested in sorted(folder.glob("*.nested.template.json")):
            if str(nested) not in found:
                found[str(nested)] = json.loads(nested.read_text(encoding="utf-8"))
    return found, environments


def _nested_templates_of(template: Path) -> list[Path]:
    """Nested-stack templates listed in a stack's asset manifest (CDK writes ``<stack>.assets.json``)."""
    name = template.name.removesuffix(".template.json")
    manifest = template.with_name(f"{name}.assets.json")
    if not manifest.is_file():
        return []
    files = (json.loads(manifest.read_text(encoding="utf-8")).get("files") or {}).values()
    paths = [str((f.get("source") or {}).get("path", "")) for f in files]
    return [template.with_name(p) for p in paths if p.endswith(".nested.template.json")]


def without_suppressed(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.suppressed_reason is None]


__all__ = [
    "AGNOSTIC",
    "ComplianceConfig",
    "Environment",
    "check_policy_resources",
    "check_resource",
    "check_templates",
    "covers",
    "environment_contexts",
    "load_templates",
    "pull_time_exclusions",
    "registry_scan_filters",
    "suppressions_of",
    "without_suppressed",
]
