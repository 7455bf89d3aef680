"""``SecureRepository``: an ``aws_ecr.Repository`` that is secure and cheap by default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, ClassVar, TypedDict

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_kms as kms_refs
from constructs import Construct

from ecr_patterns.constructs import grants
from ecr_patterns.constructs._app_state import ScopeState, scope_state
from ecr_patterns.constructs._checks import check_bool, check_instance, check_sequence, context_bool
from ecr_patterns.constructs.lifecycle.render import render_lifecycle_policy
from ecr_patterns.constructs.lifecycle.rules import to_policy_rule, to_policy_rules
from ecr_patterns.core.errors import Code, Problems, ValidationError
from ecr_patterns.core.guarantees import PATTERN_KEY
from ecr_patterns.core.lifecycle.model import LifecyclePolicy, PolicyRule
from ecr_patterns.core.presets import SECURE, Preset


class RepositoryOptions(TypedDict, total=False):
    """``SecureRepository``'s keywords, for the presets' ``**kwargs`` (``Unpack``): a type checker checks every
    keyword of a ``ProdRepository(...)`` or ``DevRepository(...)`` call as it checks ``RepositoryProps``."""

    image_scan_on_push: bool | None
    image_tag_mutability: ecr.TagMutability | None
    image_tag_mutability_exclusion_filters: Sequence[ecr.ImageTagMutabilityExclusionFilter] | None
    encryption: ecr.RepositoryEncryption | None
    encryption_key: kms_refs.IKeyRef | None
    require_customer_managed_key: bool | None
    lifecycle_rules: Sequence[ecr.LifecycleRule] | None
    lifecycle_registry_id: str | None
    removal_policy: RemovalPolicy | None
    empty_on_delete: bool | None
    auto_delete_images: bool | None
    repository_name: str | None


class SecureRepository(ecr.Repository):
    """An ECR repository with secure, cheap defaults that pass checkov and Security Hub ECR.1-3.

    Every ``aws_ecr.RepositoryProps`` keyword is accepted, and every ``aws_ecr.Repository`` method
    works in its usual Python form. Leaving a setting out applies the secure default; giving a value
    that weakens it is warned at synth, judged on the final template (``ecr_patterns.constructs.guarantees``), with the
    default named.
    Lifecycle rules are validated as ECR would validate them when they are given, so a bad policy
    fails synth instead of a deploy. User lifecycle rules replace the default policy, whether given
    here or added later with :meth:`add_lifecycle_rule` or :meth:`add_lifecycle_policy_rule`.

    :param image_scan_on_push: basic scan of every pushed image. Default ``True``.
    :param image_tag_mutability: default ``TagMutability.IMMUTABLE``. To exempt tags such as
        ``latest``, pass ``image_tag_mutability_exclusion_filters`` (the mutability then
        defaults to ``IMMUTABLE_WITH_EXCLUSION``; checkov's CKV_AWS_51 accepts only ``IMMUTABLE``).
    :param image_tag_mutability_exclusion_filters: tags exempt from the mutability setting
        (1 to 5 filters). Default ``None``.
    :param encryption: default ``RepositoryEncryption.KMS`` with the AWS-managed key ``aws/ecr``.
        ``KMS_DSSE`` (dual-layer) is supported, with or without ``encryption_key``.
        ``AES_256`` is written out explicitly and warned about (checkov's CKV_AWS_136 wants KMS).
    :param encryption_key: a customer managed KMS key, e.g. the account's
        :class:`ecr_patterns.registry.RegistryKey` (Security Hub ECR.5 passes only with one). Default ``None``
        (the AWS-managed key ``aws/ecr``).
    :param require_customer_managed_key: refuse to build without ``encryption_key`` (``ValidationError``).
        Default ``None``: the context value ``ecr-patterns:requireCustomerManagedKey`` (``cdk.json`` or
        ``-c``), else ``False``.
    :param lifecycle_rules: default: untagged images expire after 14 days, keep the last
        1,000 images. ``[]`` means no lifecycle policy at all (warned: Security Hub ECR.3).
    :param lifecycle_registry_id: default ``None`` (the account of the stack).
    :param removal_policy: default ``RemovalPolicy.RETAIN``: a stack delete keeps the images.
    :param empty_on_delete: delete the images when the repository is deleted (needs
        ``RemovalPolicy.DESTROY``). Default ``False``.
    :param auto_delete_images: aws-cdk-lib's Lambda-backed predecessor of ``empty_on_delete``
        (needs ``RemovalPolicy.DESTROY``). Default ``None`` (off); prefer ``empty_on_delete``.
    :param repository_name: default ``None`` (CloudFormation generates one).
    """

    _preset: ClassVar[Preset] = SECURE

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image_scan_on_push: bool | None = None,
        image_tag_mutability: ecr.TagMutability | None = None,
        image_tag_mutability_exclusion_filters: Sequence[ecr.ImageTagMutabilityExclusionFilter] | None = None,
        encryption: ecr.RepositoryEncryption | None = None,
        encryption_key: kms_refs.IKeyRef | None = None,
        require_customer_managed_key: bool | None = None,
        lifecycle_rules: Sequence[ecr.LifecycleRule] | None = None,
        lifecycle_registry_id: str | None = None,
        removal_policy: RemovalPolicy | None = None,
        empty_on_delete: bool | None = None,
        auto_delete_images: bool | None = None,
        repository_name: str | None = None,
    ) -> None:
        # Every problem with the arguments, in one error, before anything reaches Node.
        where = _path_of(scope, id)
        problems = Problems()
        _check_types(problems, locals())
        problems.raise_if_any(context=where)
        scan, mutability, removal, empty = _merged(
            self._preset,
            image_scan_on_push,
            image_tag_mutability,
            bool(image_tag_mutability_exclusion_filters),
            removal_policy,
            empty_on_delete,
        )
        state = scope_state(scope)
        requires_key = _requires_key(state, require_customer_managed_key)
        encryption_type = _encryption_type(encryption, encryption_key, problems)
        self._check_settings(problems, encryption_key, requires_key, removal, empty, bool(auto_delete_images))
        model = (
            self._preset.lifecycle_rules() if lifecycle_rules is None else to_policy_rules(lifecycle_rules, problems)
        )
        problems.raise_if_any(context=where)
        # Validated before Node sees anything; rendered on the L1 below, by the one renderer (a class's
        # default policy holds no token: rendered once per process).
        text = (
            _default_text(self._preset)
            if lifecycle_rules is None
            else render_lifecycle_policy(scope, model, where=where)
        )

        super().__init__(
            scope,
            id,
            image_scan_on_push=scan,
            image_tag_mutability=mutability,
            image_tag_mutability_exclusion_filters=image_tag_mutability_exclusion_filters,
            # aws-cdk-lib renders KMS itself; AES256 (not written by the L2) and KMS_DSSE
            # (which it rejects) are written on the L1 below.
            encryption=_kms() if encryption_type == "KMS" else None,
            encryption_key=encryption_key if encryption_type == "KMS" else None,
            removal_policy=removal,
            empty_on_delete=True if empty else None,
            auto_delete_images=auto_delete_images,
            repository_name=repository_name,
        )
        self._policy_rules: list[PolicyRule] = model
        self._user_lifecycle = lifecycle_rules is not None
        """False while the default policy is in place: the first user rule replaces it."""
        self._lifecycle_registry_id = lifecycle_registry_id
        self._encryption_key = encryption_key
        l1 = self._l1
        if encryption_type != "KMS":
            l1.encryption_configuration = ecr.CfnRepository.EncryptionConfigurationProperty(
                encryption_type=encryption_type,
                kms_key=encryption_key.key_ref.key_arn if encryption_key is not None else None,
            )
        self._write_lifecycle(l1, text)
        # What this pattern promises is judged on the final template at synth (ecr_patterns.constructs.guarantees).
        promises = {"path": state.path_of(id), **self._promises(requires_key)}
        l1.add_metadata(PATTERN_KEY, promises)
        state.app.guarantees().register(self, l1, promises, encryption_key)

    def _promises(self, requires_key: bool) -> dict[str, Any]:
        """The template metadata the guarantees plugin judges this repository by (with its construct path, which
        tells the plugin which registered patterns the templates carry)."""
        return {"preset": self._preset.class_name, "requireCustomerManagedKey": requires_key}

    def _check_settings(
        self,
        problems: Problems,
        key: kms_refs.IKeyRef | None,
        requires_key: bool,
        removal: RemovalPolicy,
        empty: bool,
        auto_delete: bool,
    ) -> None:
        destroy = removal == RemovalPolicy.DESTROY
        if key is None and requires_key:
            problems.add(
                "encryption_key",
                None,
                "a customer managed key is required (require_customer_managed_key or the context value "
                f"{REQUIRE_KEY_CONTEXT}): pass encryption_key=RegistryKey(...) (Security Hub ECR.5)",
                code=Code.REPOSITORY_ENCRYPTION,
            )
        self._check_key(problems, key)
        if empty and not destroy:
            problems.add(
                "empty_on_delete",
                True,
                "deletes the images when the repository is deleted: it needs removal_policy=RemovalPolicy.DESTROY",
                code=Code.REPOSITORY_EMPTY_ON_DELETE,
            )
        if auto_delete and not destroy:
            problems.add(
                "auto_delete_images",
                True,
                "needs removal_policy=RemovalPolicy.DESTROY (and prefer empty_on_delete=True)",
                code=Code.REPOSITORY_EMPTY_ON_DELETE,
            )
        self._check_destroy(problems, removal=removal, empty_on_delete=empty, auto_delete_images=auto_delete)

    # -- lifecycle -------------------------------------------------------------------------

    def add_lifecycle_rule(
        self,
        rule: ecr.LifecycleRule | None = None,
        /,
        *,
        description: str | None = None,
        max_image_age: Duration | None = None,
        max_image_count: float | None = None,
        rule_priority: float | None = None,
        tag_pattern_list: Sequence[str] | None = None,
        tag_prefix_list: Sequence[str] | None = None,
        tag_status: ecr.TagStatus | None = None,
    ) -> None:
        """Add a lifecycle rule, in aws-cdk's keyword form (``add_lifecycle_rule(max_image_count=5)``)
        or as one ``aws_ecr.LifecycleRule``. The first rule a user adds replaces the default policy;
        the whole policy is then validated at once (``ValidationError``, and the policy is unchanged).

        :param rule: an ``aws_ecr.LifecycleRule``; default ``None`` (build one from the keywords).
        :param description: default ``None``.
        :param max_image_age: a whole number of days; default ``None``.
        :param max_image_count: default ``None`` (give exactly one of age and count).
        :param rule_priority: default ``None`` (assigned in order of addition, the ``any`` rule last).
        :param tag_pattern_list: default ``None``.
        :param tag_prefix_list: default ``None``.
        :param tag_status: default ``TAGGED`` when a tag list is given, else ``ANY``.
        """
        keywords = {
            "description": description,
            "max_image_age": max_image_age,
            "max_image_count": max_image_count,
            "rule_priority": rule_priority,
            "tag_pattern_list": tag_pattern_list,
            "tag_prefix_list": tag_prefix_list,
            "tag_status": tag_status,
        }
        given = {k: v for k, v in keywords.items() if v is not None}
        if rule is not None and given:
            raise ValidationError.single(
                "add_lifecycle_rule",
                sorted(given),
                "give one aws_ecr.LifecycleRule or its fields as keywords, not both",
                code=Code.REPOSITORY_ARGUMENTS,
                context=self.node.path,
            )
        if rule is None:
            rule = ecr.LifecycleRule(**given)  # type: ignore[arg-type]
        try:
            converted = to_policy_rule(rule)
        except ValidationError as err:
            raise ValidationError(err.violations, context=self.node.path) from err
        self._set_policy_rules([*self._current_user_rules(), converted])

    def add_lifecycle_policy_rule(self, *rules: PolicyRule) -> None:
        """Add engine rules, including what ``aws_ecr.LifecycleRule`` cannot express (archive
        storage class: ``sinceImagePulled``, ``transition``, ``sinceImageTransitioned``), e.g.
        from :func:`ecr_patterns.lifecycle.archive_images_not_pulled_for_days`. They share one
        policy and one priority numbering with the other rules; the first user rule replaces the
        default policy (start from ``ecr_patterns.lifecycle.default_policy_rules()`` to keep it)."""
        self._set_policy_rules([*self._current_user_rules(), *rules])

    @property
    def lifecycle_policy(self) -> LifecyclePolicy:
        """The lifecycle policy as rendered, priorities assigned (for ``preview_lifecycle_policy``)."""
        return LifecyclePolicy.from_rules(self._policy_rules)

    @property
    def encryption_key(self) -> kms_refs.IKeyRef | None:
        """The customer managed key given as ``encryption_key``; ``None`` for ``aws/ecr`` or AES256."""
        return self._encryption_key

    @property
    def _l1(self) -> ecr.CfnRepository:
        return self.node.default_child  # type: ignore[return-value]

    def _current_user_rules(self) -> list[PolicyRule]:
        return self._policy_rules if self._user_lifecycle else []

    def _set_policy_rules(self, rules: list[PolicyRule]) -> None:
        text = render_lifecycle_policy(self, rules, where=lambda: self.node.path)  # raises before any change
        self._policy_rules = rules
        self._user_lifecycle = True
        self._write_lifecycle(self._l1, text)

    def _write_lifecycle(self, l1: ecr.CfnRepository, text: str | None) -> None:
        """Write the whole policy on the L1 (the L2 never renders one: no rules are passed to it)."""
        if text is None and self._lifecycle_registry_id is None:
            l1.lifecycle_policy = None
        else:
            l1.lifecycle_policy = ecr.CfnRepository.LifecyclePolicyProperty(
                lifecycle_policy_text=text, registry_id=self._lifecycle_registry_id
            )

    # -- grants ------------------------------------------------------------------------------

    def grant_pull_to_accounts(self, *account_ids: str) -> iam.Grant:
        """Let whole AWS accounts pull (the three pull actions only). See :mod:`ecr_patterns.constructs.grants`."""
        return grants.grant_pull_to_accounts(self, *account_ids)

    def grant_pull_to_organization(self, organization_id: str) -> iam.Grant:
        """Let every principal of an AWS Organization pull. See :mod:`ecr_patterns.constructs.grants`."""
        return grants.grant_pull_to_organization(self, organization_id)

    def grant_pull_to_lambda(self, *account_ids: str, grant_accounts: bool = True) -> iam.Grant:
        """Let container-image Lambda functions of these accounts pull. See :mod:`ecr_patterns.constructs.grants`.

        :param grant_accounts: also grant pull to the accounts' principals. Default ``True``.
        """
        return grants.grant_pull_to_lambda(self, *account_ids, grant_accounts=grant_accounts)

    def grant_lambda_pull(self, *account_ids: str, grant_accounts: bool = True) -> iam.Grant:
        """Deprecated name of :meth:`grant_pull_to_lambda`.

        :param grant_accounts: default ``True``.
        """
        return grants.grant_lambda_pull(self, *account_ids, grant_accounts=grant_accounts)

    # -- events ------------------------------------------------------------------------------

    def notify_on_scan_findings(self, topic: sns.ITopic, *, min_severity: str = "HIGH") -> list[events.Rule]:
        """Send scan results with findings of ``min_severity`` (default ``"HIGH"``) or worse to an SNS
        topic, for basic scans and Inspector findings. See :func:`ecr_patterns.registry.notify_on_scan_findings`."""
        from ecr_patterns.constructs.registry.events import notify_on_scan_findings

        return notify_on_scan_findings(self, topic, min_severity=min_severity)

    def notify_on_image_push(
        self, target: events.IRuleTarget, *, tag_prefixes: Sequence[str] | None = None
    ) -> events.Rule:
        """Send successful pushes (of tags with these prefixes; default ``None``: every push) to a target."""
        from ecr_patterns.constructs.registry.events import notify_on_image_push

        return notify_on_image_push(self, target, tag_prefixes=tag_prefixes)

    # -- defaults and warnings ---------------------------------------------------------------

    def _check_destroy(
        self, problems: Problems, *, removal: RemovalPolicy, empty_on_delete: bool, auto_delete_images: bool
    ) -> None:
        """Hook for presets that refuse settings which delete images (ProdRepository)."""

    def _check_key(self, problems: Problems, key: kms_refs.IKeyRef | None) -> None:
        """Hook for presets that refuse a key a stack delete could schedule for deletion (ProdRepository)."""


REQUIRE_KEY_CONTEXT = "ecr-patterns:requireCustomerManagedKey"
"""Context value that makes every pattern of the app require ``encryption_key`` (a preset-wide switch)."""


def _requires_key(state: ScopeState, given: bool | None) -> bool:
    if given is not None:
        return given
    # Read once per scope (a call into Node costs about 0.25 ms), from the scope's shared state.
    value = state.context(REQUIRE_KEY_CONTEXT)
    return context_bool(value, name=REQUIRE_KEY_CONTEXT, code=Code.REPOSITORY_ARGUMENTS)


@cache
def _kms() -> ecr.RepositoryEncryption:
    # A jsii static property: each access is a call into Node, so read it once.
    return ecr.RepositoryEncryption.KMS


@cache
def _default_text(preset: Preset) -> str | None:
    return render_lifecycle_policy(None, preset.lifecycle_rules(), where=lambda: "default lifecycle policy")  # type: ignore[arg-type]


def _merged(
    preset: Preset,
    scan: bool | None,
    mutability: ecr.TagMutability | None,
    exclusions: bool,
    removal: RemovalPolicy | None,
    empty: bool | None,
) -> tuple[bool, ecr.TagMutability, RemovalPolicy, bool]:
    """Secure defaults (the preset's), then the user's values: scan on push, mutability, removal policy, empty on
    delete."""
    p = preset.settings
    if mutability is None:
        mutability = ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION if exclusions else ecr.TagMutability(p.tag_mutability)
    if removal is None:
        removal = RemovalPolicy.RETAIN if p.deletion_policy == "Retain" else RemovalPolicy.DESTROY
    # A preset's empty_on_delete default follows its removal policy: DevRepository with RETAIN keeps images.
    destroy = removal == RemovalPolicy.DESTROY
    return (
        p.scan_on_push if scan is None else scan,
        mutability,
        removal,
        bool((p.empty_on_delete and destroy) if empty is None else empty),
    )


_BOOLS = ("image_scan_on_push", "require_customer_managed_key", "empty_on_delete", "auto_delete_images")


def _check_types(problems: Problems, given: dict[str, Any]) -> None:
    """The types of the keywords as given (``locals()`` of the constructor)."""
    code = Code.REPOSITORY_ARGUMENTS
    for name in _BOOLS:
        check_bool(problems, name, given[name], code=code)
    check_instance(
        problems,
        "image_tag_mutability",
        given["image_tag_mutability"],
        ecr.TagMutability,
        "an aws_ecr.TagMutability",
        code=code,
    )
    check_instance(
        problems,
        "encryption",
        given["encryption"],
        ecr.RepositoryEncryption,
        "an aws_ecr.RepositoryEncryption",
        code=code,
    )
    check_instance(
        problems, "removal_policy", given["removal_policy"], RemovalPolicy, "an aws_cdk.RemovalPolicy", code=code
    )
    check_instance(problems, "repository_name", given["repository_name"], str, "a string", code=code)
    key = given["encryption_key"]
    if key is not None and not hasattr(key, "key_ref"):
        problems.add(
            "encryption_key",
            type(key).__name__,
            "give a KMS key construct (kms.Key, kms.Key.from_key_arn(...), RegistryKey), not a string or ARN",
            code=Code.REPOSITORY_ENCRYPTION,
        )
    check_instance(
        problems,
        "lifecycle_registry_id",
        given["lifecycle_registry_id"],
        str,
        "a 12-digit account id string",
        code=code,
    )
    check_sequence(
        problems, "lifecycle_rules", given["lifecycle_rules"], ecr.LifecycleRule, "aws_ecr.LifecycleRule", code=code
    )
    check_sequence(
        problems,
        "image_tag_mutability_exclusion_filters",
        given["image_tag_mutability_exclusion_filters"],
        ecr.ImageTagMutabilityExclusionFilter,
        "aws_ecr.ImageTagMutabilityExclusionFilter",
        code=code,
    )


def _path_of(scope: Construct, id: str) -> Callable[[], str]:
    """The construct path, asked of Node only when an error needs it."""

    def where() -> str:
        parent = scope.node.path
        return f"{parent}/{id}" if parent else id

    return where


def _encryption_type(
    encryption: ecr.RepositoryEncryption | None, key: kms_refs.IKeyRef | None, problems: Problems
) -> str:
    """The ``EncryptionType`` to write, checking the combination once."""
    if encryption is None:
        return "KMS"
    value = str(encryption.value)
    if value == "AES256" and key is not None:
        problems.add(
            "encryption",
            value,
            "an encryption_key needs encryption=RepositoryEncryption.KMS or KMS_DSSE; remove the key for AES256",
            code=Code.REPOSITORY_ENCRYPTION,
        )
    if value not in ("AES256", "KMS", "KMS_DSSE"):
        problems.add(
            "encryption", value, "use RepositoryEncryption.KMS, KMS_DSSE or AES_256", code=Code.REPOSITORY_ENCRYPTION
        )
    return value
