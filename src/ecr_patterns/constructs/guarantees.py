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
from dataclasses import dataclass
from typing import Any

import jsii
from aws_cdk import (
    CfnResource,
    IPolicyValidationContext,
    IPolicyValidationPlugin,
    PolicyValidationPluginReport,
    PolicyViolatingResource,
    PolicyViolation,
    Stage,
)
from aws_cdk import aws_ecr as ecr
from constructs import Construct

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
    construct_path,
    judge_key,
    judge_templates,
    pattern_of,
    suppressed_rules,
)
from ecr_patterns.core.presets import PRESETS
from ecr_patterns.core.settings import RepositorySettings

PLUGIN_NAME = "EcrPatternsGuarantees"
METADATA_REPLACED = "EcrPatterns-PatternMetadata"


@jsii.implements(IPolicyValidationPlugin)
class GuaranteesPlugin:
    """Judges every ecr-patterns pattern of the app on the synthesized templates."""

    def __init__(self) -> None:
        self.last_findings: list[GuaranteeFinding] = []
        """What the last synth found (for tests and tools)."""
        self._patterns: list[_Registered] = []
        """Each pattern as it registered itself (Python references: no call into Node)."""

    def register(
        self, pattern: Construct, resource: ecr.CfnRepository, promises: Mapping[str, Any], key: object | None
    ) -> None:
        """Remember a pattern: its promises (``promises["path"]`` is its construct path), so that replacing its
        template metadata cannot hide it, and its key, judged on the key's own final template resource."""
        self._patterns.append(_Registered(pattern, resource, dict(promises), key))

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
        located = _Locator(templates)
        restored = self._restore_promises(located)
        findings = restored + judge_templates(templates) + _pattern_rules(templates, environments)
        findings += self._judge_keys(located)
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

    def _restore_promises(self, located: _Locator) -> list[GuaranteeFinding]:
        """Each registered pattern whose resource no longer carries its ``ecr-patterns:pattern`` metadata (a
        replaced ``Metadata`` block) gets its promises back in the templates read here, and a warning. Asked of
        Node only for such a pattern: the others are known by the construct path their metadata carries."""
        found = []
        for registered in self._patterns:
            if registered.promises["path"] in located.patterns or not registered.in_tree():
                continue
            where = located.find(registered.resource)
            rendered = located.resource(where)
            if where is None or rendered is None or pattern_of(rendered) is not None:
                continue  # its repository left the tree, or another pattern's metadata sits there
            metadata = rendered.get("Metadata")
            metadata = metadata if isinstance(metadata, Mapping) else {}
            located.replace(where, {**rendered, "Metadata": {**metadata, PATTERN_KEY: registered.promises}})
            found.append(_metadata_replaced(where[0], where[1], str(registered.promises["path"])))
        return found

    def _judge_keys(self, located: _Locator) -> list[GuaranteeFinding]:
        """Each production pattern's key defined in the app, judged on the key's final template resource (found
        from the key construct: same stack, another stack, a nested stack or another region alike)."""
        found = []
        for registered in self._patterns:
            preset = PRESETS[registered.promises["preset"]]
            key = getattr(registered.key, "node", None)
            if not preset.production or registered.promises.get("allowDestroy") is True or key is None:
                continue
            key_l1 = key.default_child
            repository = located.patterns.get(registered.promises["path"])
            if not isinstance(key_l1, CfnResource) or repository is None:
                continue  # imported by ARN: not this app's to delete
            where = located.find(key_l1)
            rendered = located.resource(where)
            if where is None or rendered is None:
                continue
            key_where = where[1] if where[0] == repository[0] else f"{where[1]} in {where[0]}"
            repo_resource = located.resource(repository) or {}
            found += judge_key(repository[1], repo_resource, repository[0], rendered, key_where)
        return found


@dataclass(frozen=True)
class _Registered:
    pattern: Construct
    resource: ecr.CfnRepository
    promises: dict[str, Any]
    key: object | None

    def in_tree(self) -> bool:
        """Whether the pattern is still its scope's child (a construct made in Python comes back as itself)."""
        scope = self.pattern.node.scope
        return scope is not None and scope.node.try_find_child(self.pattern.node.id) is self.pattern


class _Locator:
    """Where resources sit in the templates read: patterns by the construct path their metadata carries (no call
    into Node), any other L1 by its stack's template file and its final logical id (a few calls each)."""

    def __init__(self, templates: dict[str, dict[str, Any]]) -> None:
        self._templates = templates
        self._files = {(os.path.realpath(os.path.dirname(p)), os.path.basename(p)): p for p in templates}
        self.patterns: dict[str, tuple[str, str]] = {
            str(promises["path"]): (path, logical_id)
            for path, template in templates.items()
            for logical_id, resource in (template.get("Resources") or {}).items()
            if isinstance(resource, Mapping) and (promises := pattern_of(resource)) is not None and "path" in promises
        }

    def find(self, resource: CfnResource) -> tuple[str, str] | None:
        stack = resource.stack
        stage = Stage.of(stack)
        path = self._files.get((os.path.realpath(stage.outdir), stack.template_file)) if stage else None
        return (path, str(stack.resolve(resource.logical_id))) if path else None

    def resource(self, where: tuple[str, str] | None) -> Mapping[str, Any] | None:
        if where is None:
            return None
        found = (self._templates[where[0]].get("Resources") or {}).get(where[1])
        return found if isinstance(found, Mapping) else None

    def replace(self, where: tuple[str, str], resource: Mapping[str, Any]) -> None:
        self._templates[where[0]]["Resources"][where[1]] = resource


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
        cdk_path = construct_path(resource)
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
                    cdk_path,
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
