"""``EcrCompliance``: the same rules as an Aspect, reporting annotations on the constructs.

For teams who want findings on the construct tree (``cdk synth`` prints them with their
paths). It costs one call from Node into Python for every construct in scope, so on large
apps prefer :class:`EcrCompliancePlugin`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jsii
from aws_cdk import Annotations, AspectPriority, Aspects, IAspect, Stack, Stage, Validations
from aws_cdk import aws_ecr as ecr
from constructs import IConstruct

from ecr_patterns.compliance.engine import ComplianceConfig, check_resource, registry_scan_filters
from ecr_patterns.compliance.model import REPOSITORY_TYPE, Level, Rule, RuleContext
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
    acknowledgeable by rule id. The Aspect sees the L1's properties (resolved with
    ``Stack.of(node).resolve``), not raw ``add_property_override`` overrides: the plugin, which
    reads the final template, does.

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

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, ecr.CfnRepository):
            return
        # Every read below is a call into Node (about a millisecond here): read each value once.
        # The L1's own property bag is resolved as is: the L2 keeps lifecycle rules and the
        # repository policy in lazies, which only resolve() sees through.
        options = node.cfn_options
        rendered = {
            "Properties": _cloudformation_case(Stack.of(node).resolve(node._cfn_properties) or {}),
            "Metadata": options.metadata or {},
        }
        if _may_hold_tokens(rendered["Metadata"]):
            rendered["Metadata"] = Stack.of(node).resolve(rendered["Metadata"])
        resource: dict[str, Any] = {
            "Type": REPOSITORY_TYPE,
            "Properties": rendered.get("Properties") or {},
            "Metadata": rendered.get("Metadata") or {},
        }
        if is_production(resource):
            deletion = options.deletion_policy
            resource["DeletionPolicy"] = "Delete" if deletion is None else _DELETION[deletion.value]
        scanned = (resource["Properties"].get("ImageScanningConfiguration") or {}).get("ScanOnPush") is True
        ctx = RuleContext(
            logical_id="",
            template={},
            registry_scan_filters=() if scanned else self._registry_filters(node),
            require_kms=self._config.require_kms,
        )
        for finding in check_resource("", resource, ctx, self._config):
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


def _cloudformation_case(value: Any, *, key: str | None = None) -> Any:
    """camelCase property names (as the L1 keeps them) to CloudFormation's PascalCase; the
    repository policy is a JSON document and keeps its own keys."""
    if isinstance(value, dict) and key != "repositoryPolicyText":
        return {k[:1].upper() + k[1:]: _cloudformation_case(v, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [_cloudformation_case(v, key=key) for v in value]
    return value


def _may_hold_tokens(value: Any) -> bool:
    """Whether a rendered value may hold unresolved tokens (encoded strings or number tokens)."""
    if isinstance(value, dict):
        return any(_may_hold_tokens(v) for v in value.values())
    if isinstance(value, list):
        return any(_may_hold_tokens(v) for v in value)
    if isinstance(value, str):
        return "${Token[" in value or "#{Token[" in value
    return isinstance(value, float) or not isinstance(value, (int, bool, type(None)))


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
