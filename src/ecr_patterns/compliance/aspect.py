"""``EcrCompliance``: the same rules as an Aspect, reporting annotations on the constructs.

For teams who want findings on the construct tree (``cdk synth`` prints them with their
paths). It costs one call from Node into Python for every construct in scope, so on large
apps prefer :class:`EcrCompliancePlugin`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jsii
from aws_cdk import Annotations, AspectPriority, Aspects, IAspect, NestedStack, Stack, Stage, Validations
from aws_cdk import aws_ecr as ecr
from constructs import IConstruct, IValidation

from ecr_patterns.compliance.engine import ComplianceConfig, check_resource, registry_scan_filters
from ecr_patterns.compliance.marks import is_marked_production
from ecr_patterns.compliance.model import PRODUCTION_KEY, REPOSITORY_TYPE, Level, Rule, RuleContext
from ecr_patterns.compliance.rules.production_retention import is_production

_DELETION = {
    "DELETE": "Delete",
    "RETAIN": "Retain",
    "SNAPSHOT": "Snapshot",
    "RETAIN_EXCEPT_ON_CREATE": "RetainExceptOnCreate",
}


@jsii.implements(IAspect)
class EcrCompliance:
    """Check every ``CfnRepository`` in scope (L1, plain L2, our patterns, nested stacks).

    ``Aspects.of(app).add(EcrCompliance(), priority=AspectPriority.READONLY)``, or
    :func:`add_compliance_everywhere` to reach into every ``Stage`` as well. Error findings are
    error annotations (they fail ``cdk synth``), warning findings are warning annotations
    acknowledgeable by rule id. The Aspect sees the L1's properties, metadata and deletion policy
    (resolved after the app is prepared, so cross-stack references resolve too), not raw
    ``add_property_override`` overrides: the plugin, which reads the final template, does.

    How it stays cheap: every call into Node costs about a millisecond, and an Aspect is called
    for every construct in scope. ``visit`` only collects repositories (pure-Python type checks);
    each stack's repositories are read and resolved in one batch by a validation that CDK runs
    after every Aspect and before synthesis, which then adds the annotations.

    :param rules: default every rule.
    :param levels: per rule id, ``"error"`` or ``"warning"``; default each rule's own level.
    :param require_kms: default ``False``.
    """

    def __init__(
        self,
        *,
        rules: Sequence[Rule] | None = None,
        levels: Mapping[str, str | Level] | None = None,
        require_kms: bool = False,
    ) -> None:
        self._config = ComplianceConfig.build(rules=rules, levels=levels, require_kms=require_kms)
        self._scan_filters: dict[str, tuple[str, ...]] = {}
        self._batch: _Batch | None = None

    def visit(self, node: IConstruct) -> None:
        # CDK visits in pre-order, so the last Stack visited is the nearest stack of the repositories
        # that follow, until a nested stack (after whose subtree the order says nothing) or a Stage.
        # isinstance is pure Python: no call into Node for the constructs that are not repositories.
        if isinstance(node, ecr.CfnRepository):
            batch = self._batch
            if batch is None or batch.done:
                batch = self._batch = _Batch(self, None, node)
            batch.nodes.append(node)
        elif isinstance(node, Stack):
            self._batch = _Batch(self, None if isinstance(node, NestedStack) else node, node)
        elif isinstance(node, Stage):
            self._batch = None

    def _check(self, stack: Stack, node: ecr.CfnRepository, properties: dict[str, Any], batch: _Batch) -> None:
        resource: dict[str, Any] = {"Type": REPOSITORY_TYPE, "Properties": properties}
        options_read = False
        if is_marked_production(node) or is_production(resource):
            # Only a production repository's deletion policy matters to a rule.
            resource.update(_options(stack, node))
            options_read = True
        scanned = (properties.get("ImageScanningConfiguration") or {}).get("ScanOnPush") is True
        ctx = RuleContext(
            logical_id="",
            template={},
            registry_scan_filters=() if scanned else batch.registry_filters(node),
            require_kms=self._config.require_kms,
        )
        findings = check_resource("", resource, ctx, self._config)
        if findings and not options_read:
            # Suppressions live in the template metadata: read it only for a repository with findings.
            resource.update(_options(stack, node))
            findings = check_resource("", resource, ctx, self._config)
        for finding in findings:
            if finding.suppressed_reason is not None:
                continue
            message = f"[{finding.rule_id}] {finding.message}. Fix: {finding.fix}"
            if finding.level is Level.ERROR:
                Validations.of(node).add_error(finding.rule_id, message)
            else:
                Annotations.of(node).add_warning_v2(finding.rule_id, message)

    def _registry_filters(self, node: IConstruct) -> tuple[str, ...]:
        """Registry scanning filters defined anywhere in the app, found once per app."""
        root = node.node.root
        key = root.node.addr
        if key not in self._scan_filters:
            templates = []
            for construct in root.node.find_all():
                if isinstance(construct, ecr.CfnRegistryScanningConfiguration):
                    props = Stack.of(construct).resolve(construct._render_properties(construct._cfn_properties))
                    templates.append(
                        {"Resources": {"x": {"Type": "AWS::ECR::RegistryScanningConfiguration", "Properties": props}}}
                    )
            self._scan_filters[key] = registry_scan_filters(templates)
        return self._scan_filters[key]


@jsii.implements(IValidation)
class _Batch:
    """The repositories visited under one stack, checked together when CDK validates the tree."""

    def __init__(self, aspect: EcrCompliance, stack: Stack | None, anchor: IConstruct) -> None:
        self.aspect = aspect
        self.stack = stack
        """The nodes' stack, or ``None`` when the visit order does not tell (asked per node)."""
        self.nodes: list[ecr.CfnRepository] = []
        self.done = False
        self._registry_filters: tuple[str, ...] | None = None
        # Validations run after every Aspect and after prepare, before synthesis.
        anchor.node.add_validation(self)

    def registry_filters(self, node: IConstruct) -> tuple[str, ...]:
        """The app's registry scanning filters, asked of the Aspect once per batch (calls into Node)."""
        if self._registry_filters is None:
            self._registry_filters = self.aspect._registry_filters(node)
        return self._registry_filters

    def validate(self) -> list[str]:
        if self.done:
            return []
        self.done = True
        by_stack: dict[int, tuple[Stack, list[ecr.CfnRepository]]] = {}
        for node in self.nodes:
            stack = self.stack or Stack.of(node)
            by_stack.setdefault(id(stack), (stack, []))[1].append(node)
        for stack, nodes in by_stack.values():
            # One call per repository for its properties and one per stack to resolve them all.
            properties = [node._cfn_properties for node in nodes]
            try:
                resolved = stack.resolve(properties)
            except RuntimeError:
                # A repository another Aspect added in a later pass may sit in another stack (the
                # visit order then says nothing) and hold a cross-stack reference: ask per node.
                resolved = [Stack.of(node).resolve(p) for node, p in zip(nodes, properties, strict=True)]
            for node, properties in zip(nodes, resolved, strict=True):
                self.aspect._check(stack, node, _cloudformation_case(properties or {}), self)
        return []


def _options(stack: Stack, node: ecr.CfnRepository) -> dict[str, Any]:
    """The repository's template ``Metadata`` and ``DeletionPolicy`` (absent means Delete)."""
    options = node.cfn_options
    metadata = options.metadata
    out: dict[str, Any] = {"Metadata": stack.resolve(metadata) if metadata else {}}
    if is_marked_production(node):
        out["Metadata"] = {**out["Metadata"], PRODUCTION_KEY: True}
    deletion = options.deletion_policy
    if deletion is not None:
        out["DeletionPolicy"] = _DELETION[deletion.value]
    return out


def _cloudformation_case(value: Any, *, key: str | None = None) -> Any:
    """camelCase property names (as the L1 keeps them) to CloudFormation's PascalCase; the
    repository policy is a JSON document and keeps its own keys."""
    if isinstance(value, dict) and key != "repositoryPolicyText":
        return {k[:1].upper() + k[1:]: _cloudformation_case(v, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [_cloudformation_case(v, key=key) for v in value]
    return value


def add_compliance_everywhere(app: Stage, aspect: EcrCompliance | None = None) -> EcrCompliance:
    """Add the Aspect to ``app`` and to every ``Stage`` inside it (``Aspects.of(app)`` stops at
    stage boundaries). Call it after the stages are defined.

    :param aspect: default ``EcrCompliance()``.
    """
    aspect = aspect or EcrCompliance()
    Aspects.of(app).add(aspect, priority=AspectPriority.READONLY)
    for construct in app.node.find_all():
        # isinstance, not Stage.is_stage: no call into Node for each construct.
        if construct is not app and isinstance(construct, Stage):
            Aspects.of(construct).add(aspect, priority=AspectPriority.READONLY)
    return aspect
