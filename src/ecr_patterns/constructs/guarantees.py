"""The app's guarantees plugin: every pattern judged on the final templates at synth.

Registered once per app, by the first pattern (:mod:`ecr_patterns.constructs._app_state`). CDK runs it after the
templates
are written, so what it judges is what deploys, whichever route set it. A broken promise (a ``ProdRepository``
that a stack delete would remove, a required customer managed key missing) is a ``fatal`` violation: CDK fails
synth and does not let it be acknowledged (``isSuppressibleViolation`` in ``core/lib/validation/private/
report.js``). A weakened default is a ``warning`` in CDK's validation report, acknowledgeable with
``ecr_patterns.compliance.suppress`` or ``Validations.of(repo).acknowledge(Acknowledgment(
id="EcrPatternsGuarantees::<rule id>", ...))`` (CDK namespaces an acknowledgement by the plugin's name).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

import jsii
from aws_cdk import (
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Stage,
)
from aws_cdk import aws_ecr as ecr

from ecr_patterns.constructs.compliance.plugin import package_version, stage_summaries
from ecr_patterns.core.compliance.engine import environment_contexts, load_templates
from ecr_patterns.core.compliance.model import Level, Status
from ecr_patterns.core.compliance.rules import PATTERN_RULES
from ecr_patterns.core.environment import Environment
from ecr_patterns.core.guarantees import (
    FATAL,
    PATTERN_KEY,
    SUPPRESSIONS_KEY,
    WARNING,
    GuaranteeFinding,
    judge_templates,
    pattern_of,
    suppressed_rules,
)
from ecr_patterns.core.settings import RepositorySettings

PLUGIN_NAME = "EcrPatternsGuarantees"
METADATA_REPLACED = "EcrPatterns-PatternMetadata"


@jsii.implements(IPolicyValidationPlugin)
class GuaranteesPlugin:
    """Judges every ecr-patterns pattern of the app on the synthesized templates."""

    def __init__(self) -> None:
        self.last_findings: list[GuaranteeFinding] = []
        """What the last synth found (for tests and tools)."""
        self._patterns: list[tuple[ecr.CfnRepository, dict[str, Any]]] = []
        """Each pattern's repository and promises, as it registered them (Python references: no Node call)."""

    def register(self, resource: ecr.CfnRepository, promises: Mapping[str, Any]) -> None:
        """Remember a pattern, so that replacing its template metadata cannot hide it from the judgement."""
        self._patterns.append((resource, dict(promises)))

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str | None:
        return package_version()

    @property
    def rule_ids(self) -> list[str] | None:
        return None

    def validate(self, context: IPolicyValidationContext) -> PolicyValidationPluginReport:
        stacks = [(s.template_path, (s.account_id, s.region)) for s in context.stack_templates]
        templates, environments = load_templates(stacks)
        restored = self._restore_promises(templates)
        findings = restored + judge_templates(templates) + _pattern_rules(templates, environments)
        self.last_findings = findings
        violations = [_violation(f) for f in findings]
        # A fatal finding inside a Stage must fail a `cdk synth` that selects no stage stack too (the CLI shows only
        # the selected stacks' violations): one violation without resources per rule, printed here as the CLI
        # does not print it (measured with CLI 2.1148: exit 0 before, 1 after).
        summaries = stage_summaries([f for f in findings if f.severity == FATAL], FATAL)
        for summary in summaries:
            print(f"[Fatal {PLUGIN_NAME}::{summary.rule_name}] {summary.description}", file=sys.stderr)
        violations += summaries
        return PolicyValidationPluginReport(
            success=not any(f.severity == FATAL for f in findings), violations=violations
        )

    def _restore_promises(self, templates: dict[str, dict[str, Any]]) -> list[GuaranteeFinding]:
        """Each registered pattern whose resource lost its ``ecr-patterns:pattern`` metadata (``cfn_options.metadata``
        or ``add_override("Metadata", ...)`` replace the whole block) gets its promises back in the templates read
        here, and a warning. Asked of Node only when fewer patterns carry the metadata than registered."""
        carried = sum(
            1
            for template in templates.values()
            for resource in (template.get("Resources") or {}).values()
            if isinstance(resource, Mapping) and pattern_of(resource) is not None
        )
        if carried >= len(self._patterns):
            return []
        by_file = {(os.path.realpath(os.path.dirname(path)), os.path.basename(path)): path for path in templates}
        found = []
        for resource, promises in self._patterns:
            stack = resource.stack
            path = by_file.get((os.path.realpath(Stage.of(stack).outdir), stack.template_file))  # type: ignore[union-attr]
            logical_id = stack.resolve(resource.logical_id)
            resources = (templates.get(path) or {}).get("Resources") or {} if path else {}
            rendered = resources.get(logical_id)
            if not isinstance(rendered, Mapping) or pattern_of(rendered) is not None:
                continue  # removed from the tree, or judged already
            metadata = rendered.get("Metadata")
            metadata = metadata if isinstance(metadata, Mapping) else {}
            resources[logical_id] = {**rendered, "Metadata": {**metadata, PATTERN_KEY: promises}}
            found.append(_metadata_replaced(str(path), logical_id, str(resource.node.path)))
        return found


def _metadata_replaced(path: str, logical_id: str, construct_path: str) -> GuaranteeFinding:
    return GuaranteeFinding(
        METADATA_REPLACED,
        WARNING,
        None,
        logical_id,
        path,
        "Metadata",
        f"the template metadata {PATTERN_KEY} was replaced after the pattern wrote it: its promises were judged from "
        f"the construct; {SUPPRESSIONS_KEY} entries written with it, if any, are gone from the template",
        "add entries with add_metadata(key, value) or cfn_options.metadata = {**cfn_options.metadata, ...} instead "
        "of replacing the whole Metadata block",
        construct_path,
    )


def _pattern_rules(
    templates: Mapping[str, Mapping[str, Any]], environments: Mapping[str, Environment]
) -> list[GuaranteeFinding]:
    """:data:`PATTERN_RULES` on every pattern's final resource, each with its account and region's context."""
    found = []
    for path, logical_id, resource, ctx in environment_contexts(templates, environments):
        if pattern_of(resource) is None:
            continue
        settings = RepositorySettings.from_template(resource, auto_delete_images=ctx.auto_delete_images)
        suppressed = suppressed_rules(resource)
        cdk_path = (resource.get("Metadata") or {}).get("aws:cdk:path")
        for rule in PATTERN_RULES:
            outcome = rule.check(settings, ctx)
            if rule.id in suppressed or outcome.status is not Status.NON_COMPLIANT:
                continue
            found.append(
                GuaranteeFinding(
                    rule.id,
                    WARNING,
                    None,
                    logical_id,
                    path,
                    outcome.location,
                    outcome.message,
                    rule.fix,
                    cdk_path if isinstance(cdk_path, str) else None,
                )
            )
    return found


def _violation(finding: GuaranteeFinding) -> PolicyViolation:
    return PolicyViolation(
        rule_name=finding.rule_id,
        description=f"[{finding.code}] {finding.location}: {finding.message}"
        if finding.code
        else f"{finding.location}: {finding.message}",
        fix=finding.fix,
        severity=finding.severity if finding.severity == FATAL else Level.WARNING.value,
        violating_resources=[
            PolicyViolatingResource(
                resource_logical_id=finding.logical_id,
                template_path=finding.template_path,
                locations=[finding.location],
            )
        ],
    )
