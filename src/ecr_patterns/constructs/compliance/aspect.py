"""``EcrCompliance``: the same rules as an Aspect, reporting annotations on the constructs.

For teams who want findings on the construct tree (``cdk synth`` prints them with their paths).
Every call between Node and Python costs a round trip (about 0.3 ms here), so how the repositories
are found decides the cost:

- ``add_compliance_everywhere(app)`` or ``EcrCompliance().apply_to(scope)`` (recommended): after every
  Aspect has run, one validation per ``Stage`` lists the scope's constructs in one call and picks out the
  ``CfnRepository``s in Python. Node calls into Python once per Stage.
- ``Aspects.of(scope).add(EcrCompliance(), priority=AspectPriority.READONLY)``: CDK calls ``visit`` for
  every construct in scope, one round trip each (the floor in ``bench/``).

Either way the repositories are then read once each, resolved in one call per stack, and checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from itertools import pairwise
from typing import Any

import jsii
from aws_cdk import Annotations, CfnResource, CustomResource, IAspect, Stack, Stage, TreeInspector, Validations
from aws_cdk import aws_ecr as ecr
from constructs import Construct, IConstruct, IValidation

from ecr_patterns.constructs._checks import shown
from ecr_patterns.constructs._policies import as_template
from ecr_patterns.constructs.registry._environment import stack_environment
from ecr_patterns.core.compliance.engine import (
    ComplianceConfig,
    Environment,
    check_policy_resources,
    check_resource,
    covers,
    registry_scan_filters,
)
from ecr_patterns.core.compliance.model import REPOSITORY_TYPE, Finding, Level, Rule, RuleContext
from ecr_patterns.core.errors import Code, ValidationError
from ecr_patterns.core.guarantees import AUTO_DELETE_TYPE
from ecr_patterns.core.settings import PRODUCTION_KEY, RepositorySettings


@jsii.implements(IAspect)
class EcrCompliance:
    """Check every ``CfnRepository`` in scope (L1, plain L2, our patterns, nested stacks).

    Recommended: :func:`add_compliance_everywhere` (the app and every ``Stage`` in it), or
    :meth:`apply_to` for one scope. As a plain Aspect:
    ``Aspects.of(app).add(EcrCompliance(), priority=AspectPriority.READONLY)``; CDK then calls ``visit``
    for every construct in scope, which costs more on large apps (README, benchmarks).

    Error findings are error annotations (they fail ``cdk synth``), warning findings are warning
    annotations acknowledgeable by rule id. The checks see the L1's properties, metadata and deletion
    policy, resolved after the app is prepared (cross-stack references resolve too), not raw
    ``add_property_override`` overrides: the plugin, which reads the final template, does.

    :param rules: default every rule.
    :param levels: per rule id, ``"error"`` or ``"warning"``; default each rule's own level.
    :param require_kms: default ``False``.
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
        self._visited: _Visited | None = None
        self._checked_scopes: set[str] = set()
        self._stage_errors: dict[str, list[str]] = {}
        """Per nested Stage (its key): the error findings its own check annotated."""

    def visit(self, node: IConstruct) -> None:
        # isinstance is pure Python: no call into Node for the constructs that are neither.
        if isinstance(node, ecr.CfnRepository):
            self._visits().add_repository(node)
        elif isinstance(node, Stack):
            self._visits().add_stack(node)
        elif isinstance(node, _OTHER_KINDS):
            self._visits().add_other(node)

    def apply_to(self, scope: IConstruct) -> EcrCompliance:
        """Check every ``CfnRepository`` under ``scope`` when its Stage is synthesized, after every Aspect
        has run; repositories inside a nested ``Stage`` are left to that stage's own check
        (:func:`add_compliance_everywhere` adds one). Returns ``self``."""
        _require_construct(scope, "scope", "a construct: the App, a Stage, a Stack or any construct above repositories")
        self._add_scope_check(scope, everywhere=False)
        return self

    def _add_scope_check(self, scope: IConstruct, *, everywhere: bool) -> None:
        scope.node.add_validation(_ScopeCheck(self, scope, everywhere=everywhere))
        self._checked_scopes.add(_key(scope))

    def _visits(self) -> _Visited:
        if self._visited is None or self._visited.done:
            self._visited = _Visited(self)
        return self._visited

    def _check_repositories(
        self, groups: Sequence[tuple[Stack, Sequence[ecr.CfnRepository]]], emptied: frozenset[str] = frozenset()
    ) -> list[str]:
        """Read, resolve and check the repositories, grouped by their stack (``emptied``: the paths of those an
        auto-delete custom resource empties). Returns ``"<construct path>: <rule id>"`` for each error finding."""
        errors: list[str] = []
        if not groups:
            return errors
        first = groups[0][1][0]
        # Read once per check, and only for a repository that does not scan on push itself.
        settings = cache(lambda: self._registry_settings(first))
        scanning = cache(lambda: settings()[0])
        for stack, nodes in groups:
            # One call per repository for its properties and one per stack to resolve them all.
            inspector = TreeInspector()
            resolved = stack.resolve([_properties(node, inspector) for node in nodes])
            filters = _filters_for(stack, scanning)
            exclusions = _exclusions_for(stack, lambda: settings()[1])
            for node, props in zip(nodes, resolved, strict=True):
                # A path (a call into Node) only in an app with auto-delete resources.
                auto_delete = bool(emptied) and node.node.path in emptied
                properties = _cloudformation_case(props or {})
                for rule_id in self._check(stack, node, properties, filters, exclusions, auto_delete=auto_delete):
                    errors.append(f"{node.node.path}: {rule_id}")
        return errors

    def _check(
        self,
        stack: Stack,
        node: ecr.CfnRepository,
        properties: dict[str, Any],
        filters: Callable[[], tuple[str, ...]],
        exclusions: Callable[[], int],
        *,
        auto_delete: bool,
    ) -> list[str]:
        """Annotate one repository; returns the rule ids of its error findings."""
        resource: dict[str, Any] = {"Type": REPOSITORY_TYPE, "Properties": properties}
        options_read = False
        tagged = RepositorySettings.from_template(resource).is_production
        if tagged or node.get_metadata(PRODUCTION_KEY) is True:
            # Only a production repository's deletion policy matters to a rule.
            resource.update(_options(stack, node))
            options_read = True
        scanned = (properties.get("ImageScanningConfiguration") or {}).get("ScanOnPush") is True
        ctx = RuleContext(
            logical_id="",
            template={},
            registry_scan_filters=() if scanned else filters(),
            require_kms=self._config.require_kms,
            require_customer_managed_key=self._config.require_customer_managed_key,
            # The app's exclusions are looked up only for a policy with a sinceImagePulled rule.
            pull_time_exclusions=exclusions() if "sinceImagePulled" in str(properties.get("LifecyclePolicy")) else 0,
            auto_delete_images=auto_delete,
        )
        findings = check_resource("", resource, ctx, self._config)
        if findings and not options_read:
            # Suppressions live in the template metadata: read it only for a repository with findings.
            resource.update(_options(stack, node))
            findings = check_resource("", resource, ctx, self._config)
        return _annotate(node, findings)

    def _check_policies(self, nodes: Sequence[IConstruct]) -> list[str]:
        """EcrPatterns-OpenAccess on registry policies and creation templates (one property read and one resolve
        each: they are few). Returns ``"<construct path>: <rule id>"`` for each error finding."""
        errors = []
        for node in nodes:
            stack = Stack.of(node)
            kind = next(name for cls, name in POLICY_TYPE.items() if isinstance(node, cls))
            resource: dict[str, Any] = {
                "Type": kind,
                "Properties": _cloudformation_case(stack.resolve(_properties(node))),
            }
            findings = check_policy_resources({"": {"Resources": {"": resource}}}, self._config)
            if findings:
                # Suppressions live in the template metadata: read it only for a resource with findings.
                resource.update(_options(stack, node))  # type: ignore[arg-type]  # a POLICY_TYPE: a CfnResource
                findings = check_policy_resources({"": {"Resources": {"": resource}}}, self._config)
            errors += [f"{node.node.path}: {rule_id}" for rule_id in _annotate(node, findings)]
        return errors

    def _registry_settings(
        self, node: IConstruct
    ) -> tuple[list[tuple[Environment, tuple[str, ...]]], list[Environment]]:
        """In one walk of the app: each registry scanning configuration's environment and filters, and each
        pull-time update exclusion's environment."""
        found = []
        exclusions = []
        for construct in node.node.root.node.find_all():
            if isinstance(construct, ecr.CfnRegistryScanningConfiguration):
                stack = Stack.of(construct)
                props = _cloudformation_case(stack.resolve(_properties(construct)))
                template = {
                    "Resources": {"x": {"Type": "AWS::ECR::RegistryScanningConfiguration", "Properties": props}}
                }
                found.append((stack_environment(stack), registry_scan_filters([template])))
            elif isinstance(construct, ecr.CfnPullTimeUpdateExclusion):
                exclusions.append(stack_environment(Stack.of(construct)))
        return found, exclusions


@jsii.implements(IValidation)
class _Visited:
    """What one synthesis's visits collected, checked by the first validation CDK runs after the Aspects.

    A validation is registered on every visited stack (and on the first repository, for an Aspect added
    below any stack), so that a Stage synthesized without validation cannot leave the next one unchecked.
    """

    def __init__(self, aspect: EcrCompliance) -> None:
        self.aspect = aspect
        self.repositories: list[ecr.CfnRepository] = []
        self.others: list[IConstruct] = []
        """Auto-delete custom resources and policy-holding resources."""
        self.done = False
        self._anchored = False

    def add_stack(self, stack: Stack) -> None:
        stack.node.add_validation(self)
        self._anchored = True

    def add_repository(self, node: ecr.CfnRepository) -> None:
        self.repositories.append(node)
        self._anchor(node)

    def add_other(self, node: IConstruct) -> None:
        self.others.append(node)
        self._anchor(node)

    def _anchor(self, node: IConstruct) -> None:
        if not self._anchored:
            node.node.add_validation(self)
            self._anchored = True

    def validate(self) -> list[str]:
        if not self.done:
            self.done = True
            if self.repositories:
                self.aspect._check_repositories(_by_stack(self.repositories), _emptied(self.others))
            self.aspect._check_policies([c for c in self.others if isinstance(c, tuple(POLICY_TYPE))])
        return []


@jsii.implements(IValidation)
class _ScopeCheck:
    """``apply_to``'s validation: lists the scope's constructs in one call and checks the repositories."""

    def __init__(self, aspect: EcrCompliance, scope: IConstruct, *, everywhere: bool) -> None:
        self.aspect = aspect
        self.scope = scope
        self.everywhere = everywhere
        """Set by ``add_compliance_everywhere``: a nested Stage without a check of its own is an error."""

    def validate(self) -> list[str]:
        # Pre-order, the scope first; crosses Stage boundaries. Only these kinds matter (isinstance: no Node call).
        constructs = [c for c in self.scope.node.find_all() if isinstance(c, _KINDS)]
        # A nested Stage is synthesized (and checked, by its own validation) before this one.
        inner: set[str] = set()
        missed = []
        # find_all lists the scope first: a Stage scope is not nested in itself.
        nested = [c for c in constructs if isinstance(c, Stage)][1 if isinstance(self.scope, Stage) else 0 :]
        for stage in nested:
            members = stage.node.find_all()
            inner.update(_key(c) for c in members if isinstance(c, _KINDS) and c is not stage)
            if (
                self.everywhere
                and _key(stage) not in self.aspect._checked_scopes
                and any(isinstance(c, ecr.CfnRepository) for c in members)
            ):
                missed.append(stage)
        if missed:
            # Already synthesized and unchecked: fail rather than pass in silence.
            return [
                f"EcrCompliance did not check the repositories of Stage '{stage.node.path}', defined after "
                "add_compliance_everywhere(app): call it once every Stage is defined, or "
                "EcrCompliance().apply_to(stage) for that stage"
                for stage in missed
            ]
        # Keys (a call into Node each) only when a nested Stage holds some of the constructs.
        mine = [c for c in constructs if _key(c) not in inner] if inner else constructs
        errors = self.aspect._check_repositories(_in_preorder(mine, self.scope), _emptied(mine))
        errors += self.aspect._check_policies([c for c in mine if isinstance(c, tuple(POLICY_TYPE))])
        if isinstance(self.scope, Stage) and self.scope.node.scope is not None:
            self.aspect._stage_errors[_key(self.scope)] = errors
        if not self.everywhere:
            return []
        # The CDK CLI shows a Stage's annotations only when a command selects its stacks (`cdk synth` alone
        # selects top-level stacks), so the app's check fails synth itself for errors found inside Stages.
        staged = [
            (stage.node.path, error) for stage in nested for error in self.aspect._stage_errors.get(_key(stage), [])
        ]
        if not staged:
            return []
        listed = "; ".join(f"{error} (in Stage '{path}')" for path, error in staged)
        return [
            f"EcrCompliance found {len(staged)} error finding(s) inside Stages; each is annotated on its repository "
            f"(select the stage's stacks to see them, e.g. cdk synth '{staged[0][0]}/*'): {listed}"
        ]


POLICY_TYPE: dict[type, str] = {
    ecr.CfnRegistryPolicy: "AWS::ECR::RegistryPolicy",
    ecr.CfnRepositoryCreationTemplate: "AWS::ECR::RepositoryCreationTemplate",
}
"""The policy-holding resources EcrPatterns-OpenAccess judges besides repositories (as the plugin does)."""
_OTHER_KINDS = (CustomResource, *POLICY_TYPE)
_KINDS = (ecr.CfnRepository, Stack, Stage, *_OTHER_KINDS)


def _annotate(node: IConstruct, findings: Sequence[Finding]) -> list[str]:
    """Errors and warnings on ``node`` for its unsuppressed findings; returns the rule ids of the errors."""
    errors = []
    for finding in findings:
        if finding.suppressed_reason is not None:
            continue
        message = f"[{finding.rule_id}] {finding.message}. Fix: {finding.fix}"
        if finding.level is Level.ERROR:
            Validations.of(node).add_error(finding.rule_id, message)
            errors.append(finding.rule_id)
        else:
            Annotations.of(node).add_warning_v2(finding.rule_id, message)
    return errors


def _emptied(constructs: Sequence[IConstruct]) -> frozenset[str]:
    """The paths of the repositories (L1) that an auto-delete custom resource among ``constructs`` empties: aws-cdk's
    ``auto_delete_images`` adds it as a child of the repository (``aws-ecr/lib/repository.js``)."""
    paths = set()
    for custom in constructs:
        if not isinstance(custom, CustomResource):
            continue
        resource = custom.node.default_child
        if isinstance(resource, CfnResource) and resource.cfn_resource_type == AUTO_DELETE_TYPE:
            scope = custom.node.scope
            repository = scope.node.default_child if scope is not None else None
            if isinstance(repository, ecr.CfnRepository):
                paths.add(repository.node.path)
    return frozenset(paths)


def _require_construct(value: object, name: str, what: str, *, kind: type = Construct) -> None:
    if not isinstance(value, kind):
        raise ValidationError.single(name, shown(value), f"give {what}", code=Code.COMPLIANCE_SCOPE)


def _filters_for(
    stack: Stack, scanning: Callable[[], list[tuple[Environment, tuple[str, ...]]]]
) -> Callable[[], tuple[str, ...]]:
    """The registry scanning filters that cover ``stack``'s repositories (same account and region),
    computed once per stack on the first repository that asks."""

    @cache
    def filters() -> tuple[str, ...]:
        configurations = scanning()
        if not configurations:
            return ()
        env = stack_environment(stack)
        return tuple(f for other, fs in configurations if covers(other, env) for f in fs)

    return filters


def _exclusions_for(stack: Stack, exclusions: Callable[[], list[Environment]]) -> Callable[[], int]:
    """The app's pull-time update exclusions for ``stack``'s account and region, counted once per stack."""

    @cache
    def count() -> int:
        env = stack_environment(stack)
        return sum(1 for other in exclusions() if covers(other, env))

    return count


def _key(construct: Any) -> str:
    """An identity for sets and dicts: the construct's path, unique in the app. (jsii hands back a new Python
    proxy each time it returns a JavaScript-made object, so Python identity is not stable.) One call into Node:
    asked only of repositories, stacks and stages."""
    return str(construct.node.path)


def _by_stack(repositories: Sequence[ecr.CfnRepository]) -> list[tuple[Stack, list[ecr.CfnRepository]]]:
    """Each repository's stack (its public ``stack`` attribute: one call), grouped so that each stack resolves its
    repositories in one call. A stack made in Python is the same Python object each time jsii hands it back, so
    its ``id`` groups; a stack made in JavaScript comes back as a new proxy each time and only makes more groups,
    never wrong ones (grouping only batches the resolve calls)."""
    groups: dict[int, tuple[Stack, list[ecr.CfnRepository]]] = {}
    for node in repositories:
        stack = node.stack
        groups.setdefault(id(stack), (stack, []))[1].append(node)
    return list(groups.values())


def _in_preorder(constructs: Sequence[IConstruct], scope: IConstruct) -> list[tuple[Stack, list[ecr.CfnRepository]]]:
    """The repositories of ``constructs`` (pre-order, as ``find_all`` lists them) grouped by stack. When no listed
    stack is inside another, a repository belongs to the last stack listed before it (a nested Stage's constructs
    are not in the list): one call into Node per stack, none per repository. A stack inside a stack (nested or
    not) ends before its parent's later children, so then each repository's ``stack`` is asked; so it is for a
    ``scope`` below a stack, whose own stack is not listed (``scope``: the Stage or Stack ``find_all`` started at)."""
    repositories = [c for c in constructs if isinstance(c, ecr.CfnRepository)]
    kinds = [c for c in constructs if isinstance(c, (Stack, ecr.CfnRepository))]
    # A stack made in Python comes back from find_all as the same object: ``is`` needs no call into Node.
    whole = isinstance(scope, Stage) or (bool(kinds) and kinds[0] is scope)
    if not repositories or not whole or not isinstance(kinds[0], Stack) or _stacks_nest(kinds):
        return _by_stack(repositories)
    groups: list[tuple[Stack, list[ecr.CfnRepository]]] = []
    for construct in constructs:
        if isinstance(construct, Stack):
            groups.append((construct, []))
        elif isinstance(construct, ecr.CfnRepository):
            groups[-1][1].append(construct)
    return [group for group in groups if group[1]]


def _stacks_nest(constructs: Sequence[IConstruct]) -> bool:
    """Whether one of the stacks listed is inside another (by path: one call per stack)."""
    paths = sorted(f"{c.node.path}/" for c in constructs if isinstance(c, Stack))
    # Sorted, a path inside another comes right after it or after its own siblings inside it.
    return any(later.startswith(earlier) for earlier, later in pairwise(paths))


def _options(stack: Stack, node: CfnResource) -> dict[str, Any]:
    """The repository's template ``Metadata`` and ``DeletionPolicy`` (absent means Delete)."""
    options = node.cfn_options
    metadata = options.metadata
    out: dict[str, Any] = {"Metadata": stack.resolve(metadata) if metadata else {}}
    for key, policy in (
        ("DeletionPolicy", options.deletion_policy),
        ("UpdateReplacePolicy", options.update_replace_policy),
    ):
        if policy is not None:
            out[key] = as_template(policy)
    return out


def _properties(node: IConstruct, inspector: TreeInspector | None = None) -> Any:
    """An L1's properties as its public ``inspect`` reports them (the same object ``tree.json`` is written from),
    camelCase and unresolved; the caller resolves them, one call per stack. An inspector may be reused: each
    ``inspect`` replaces the attributes the last one wrote."""
    inspector = inspector or TreeInspector()
    node.inspect(inspector)  # type: ignore[attr-defined]
    return inspector.attributes.get("aws:cdk:cloudformation:props") or {}


_DOCUMENTS = frozenset({"repositoryPolicyText", "policyText", "repositoryPolicy"})
"""Properties that are JSON policy documents: their keys are the document's own."""


def _cloudformation_case(value: Any, *, key: str | None = None) -> Any:
    """camelCase property names (as the L1 keeps them) to CloudFormation's PascalCase; a policy document keeps its
    own keys."""
    if isinstance(value, dict) and key not in _DOCUMENTS:
        return {k[:1].upper() + k[1:]: _cloudformation_case(v, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [_cloudformation_case(v, key=key) for v in value]
    return value


def add_compliance_everywhere(app: Stage, aspect: EcrCompliance | None = None) -> EcrCompliance:
    """Check every repository in ``app`` and in every ``Stage`` inside it (``Aspects.of(app)`` stops at
    stage boundaries): :meth:`EcrCompliance.apply_to` on each. Call it once the stages are defined: a Stage
    defined later fails synth with an error that names it (it is synthesized before the app is checked).

    :param aspect: default ``EcrCompliance()``.
    """
    _require_construct(app, "app", "the App (or a Stage)", kind=Stage)
    if aspect is not None and not isinstance(aspect, EcrCompliance):
        raise ValidationError.single(
            "aspect", shown(aspect), "give an EcrCompliance(...) or leave it out", code=Code.COMPLIANCE_SCOPE
        )
    aspect = aspect or EcrCompliance()
    for construct in app.node.find_all():
        # isinstance, not Stage.is_stage: no call into Node for each construct.
        if isinstance(construct, Stage):
            aspect._add_scope_check(construct, everywhere=construct is app)
    return aspect
