"""``SecureRepository``: an ``aws_ecr.Repository`` that is secure and cheap by default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

import jsii
from aws_cdk import Annotations, AspectPriority, Aspects, Duration, IAspect, RemovalPolicy
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_kms as kms_refs
from constructs import Construct, IConstruct

from ecr_patterns import defaults, grants
from ecr_patterns.compliance.model import CONSTRUCT_WARNINGS, WARNED_KEY, WARNING_PREFIX
from ecr_patterns.errors import Code, Problems, ValidationError
from ecr_patterns.lifecycle.model import CountType, LifecyclePolicy, PolicyRule
from ecr_patterns.lifecycle.render import render_lifecycle_policy
from ecr_patterns.lifecycle.rules import to_policy_rule, to_policy_rules
from ecr_patterns.lifecycle.standard import default_policy_rules


@dataclass(frozen=True)
class RepositoryDefaults:
    """The defaults a repository class applies when the user leaves a setting out."""

    image_scan_on_push: bool
    image_tag_mutability: ecr.TagMutability
    removal_policy: RemovalPolicy
    empty_on_delete: bool
    """Applied only with ``RemovalPolicy.DESTROY`` (CloudFormation refuses it otherwise)."""
    lifecycle_rules: Callable[[], list[PolicyRule]]
    """The default policy as engine rules: built in Python, no call into Node."""
    lifecycle_summary: str


SECURE_DEFAULTS = RepositoryDefaults(
    image_scan_on_push=defaults.SCAN_ON_PUSH,
    image_tag_mutability=ecr.TagMutability.IMMUTABLE,
    removal_policy=RemovalPolicy.RETAIN,
    empty_on_delete=False,
    lifecycle_rules=default_policy_rules,
    lifecycle_summary=(
        f"untagged images expire after {defaults.UNTAGGED_EXPIRY_DAYS} days, keep the last "
        f"{defaults.MAX_IMAGE_COUNT} images"
    ),
)
"""SecureRepository's defaults; a user value that is not one of these gets a warning."""


class SecureRepository(ecr.Repository):
    """An ECR repository with secure, cheap defaults that pass checkov and Security Hub ECR.1-3.

    Every ``aws_ecr.RepositoryProps`` keyword is accepted, and every ``aws_ecr.Repository`` method
    works in its usual Python form. Leaving a setting out applies the secure default; giving a value
    that weakens it adds a warning annotation (visible in ``cdk synth``) that names the default.
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
    :param kwargs: any other ``RepositoryProps`` keyword, passed on unchanged.
    """

    _defaults: ClassVar[RepositoryDefaults] = SECURE_DEFAULTS

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
        **kwargs: Any,
    ) -> None:
        d = self._defaults
        scan = d.image_scan_on_push if image_scan_on_push is None else image_scan_on_push
        if image_tag_mutability is not None:
            mutability = image_tag_mutability
        elif image_tag_mutability_exclusion_filters:
            mutability = ecr.TagMutability.IMMUTABLE_WITH_EXCLUSION
        else:
            mutability = d.image_tag_mutability
        removal = d.removal_policy if removal_policy is None else removal_policy
        destroy = removal == RemovalPolicy.DESTROY
        # A preset's empty_on_delete default follows its removal policy: DevRepository with RETAIN keeps images.
        empty = (d.empty_on_delete and destroy) if empty_on_delete is None else empty_on_delete

        # Every problem with the arguments, in one error, before anything reaches Node.
        where = _path_of(scope, id)
        problems = Problems()
        encryption_type = _encryption_type(encryption, encryption_key, problems)
        if encryption_key is None and _requires_key(scope, require_customer_managed_key):
            problems.add(
                "encryption_key",
                None,
                "a customer managed key is required (require_customer_managed_key or the context value "
                f"{REQUIRE_KEY_CONTEXT}): pass encryption_key=RegistryKey(...) (Security Hub ECR.5)",
                code=Code.REPOSITORY_ENCRYPTION,
            )
        self._check_key(problems, encryption_key)
        if empty and not destroy:
            problems.add(
                "empty_on_delete",
                True,
                "deletes the images when the repository is deleted: it needs removal_policy=RemovalPolicy.DESTROY",
                code=Code.REPOSITORY_EMPTY_ON_DELETE,
            )
        if auto_delete_images and not destroy:
            problems.add(
                "auto_delete_images",
                True,
                "needs removal_policy=RemovalPolicy.DESTROY (and prefer empty_on_delete=True)",
                code=Code.REPOSITORY_EMPTY_ON_DELETE,
            )
        self._check_destroy(
            problems, removal=removal, empty_on_delete=bool(empty), auto_delete_images=bool(auto_delete_images)
        )
        user_rules = lifecycle_rules is not None
        model = d.lifecycle_rules() if lifecycle_rules is None else to_policy_rules(lifecycle_rules, problems)
        problems.raise_if_any(context=where)
        # Validated before Node sees anything; rendered on the L1 below, by the one renderer (a class's
        # default policy holds no token: rendered once per process).
        text = _default_text(d) if lifecycle_rules is None else render_lifecycle_policy(scope, model, where=where)

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
            **kwargs,
        )
        self._policy_rules: list[PolicyRule] = model
        self._user_lifecycle = user_rules
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
        self._pull_time_check = False
        self._watch_pulls()

        self._warn_overrides(
            l1,
            scan=scan,
            mutability=mutability,
            encryption_type=encryption_type,
            removal=removal,
            empty=bool(empty),
            auto_delete_images=bool(auto_delete_images),
            no_lifecycle=user_rules and not model,
        )

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
        self._watch_pulls()

    def _watch_pulls(self) -> None:
        """A policy that counts pulls is judged at synth, when every registry-level construct of the app exists."""
        if not self._pull_time_check and _counts_pulls(self._policy_rules):
            self._pull_time_check = True
            Aspects.of(self).add(_PullTimeExclusionsWarning(self), priority=AspectPriority.MUTATING)

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
        """Let whole AWS accounts pull (the three pull actions only). See :mod:`ecr_patterns.grants`."""
        return grants.grant_pull_to_accounts(self, *account_ids)

    def grant_pull_to_organization(self, organization_id: str) -> iam.Grant:
        """Let every principal of an AWS Organization pull. See :mod:`ecr_patterns.grants`."""
        return grants.grant_pull_to_organization(self, organization_id)

    def grant_pull_to_lambda(self, *account_ids: str, grant_accounts: bool = True) -> iam.Grant:
        """Let container-image Lambda functions of these accounts pull. See :mod:`ecr_patterns.grants`.

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
        from ecr_patterns.registry.events import notify_on_scan_findings

        return notify_on_scan_findings(self, topic, min_severity=min_severity)

    def notify_on_image_push(
        self, target: events.IRuleTarget, *, tag_prefixes: Sequence[str] | None = None
    ) -> events.Rule:
        """Send successful pushes (of tags with these prefixes; default ``None``: every push) to a target."""
        from ecr_patterns.registry.events import notify_on_image_push

        return notify_on_image_push(self, target, tag_prefixes=tag_prefixes)

    # -- defaults and warnings ---------------------------------------------------------------

    def _check_destroy(
        self, problems: Problems, *, removal: RemovalPolicy, empty_on_delete: bool, auto_delete_images: bool
    ) -> None:
        """Hook for presets that refuse settings which delete images (ProdRepository)."""

    def _check_key(self, problems: Problems, key: kms_refs.IKeyRef | None) -> None:
        """Hook for presets that refuse a key a stack delete could schedule for deletion (ProdRepository)."""

    def _warn_overrides(
        self,
        l1: ecr.CfnRepository,
        *,
        scan: bool,
        mutability: ecr.TagMutability,
        encryption_type: str,
        removal: RemovalPolicy,
        empty: bool,
        auto_delete_images: bool,
        no_lifecycle: bool,
    ) -> None:
        d, s = self._defaults, SECURE_DEFAULTS
        warnings: list[tuple[str, str]] = []

        def deviates(value: object, default: object, secure: object) -> bool:
            # A preset's own documented default is not a user override.
            return value != default and value != secure

        if deviates(scan, d.image_scan_on_push, s.image_scan_on_push):
            warnings.append(
                (
                    "imageScanOnPush",
                    "image_scan_on_push=False overrides the secure default image_scan_on_push=True: pushed images are "
                    "not scanned (Security Hub ECR.1, checkov CKV_AWS_163) unless a registry scanning configuration "
                    "covers them.",
                )
            )
        if deviates(mutability, d.image_tag_mutability, s.image_tag_mutability):
            warnings.append(
                (
                    "imageTagMutability",
                    f"image_tag_mutability={mutability.value} overrides the secure default IMMUTABLE: tags can be "
                    "moved to other images (Security Hub ECR.2, checkov CKV_AWS_51 accepts only IMMUTABLE).",
                )
            )
        if encryption_type == "AES256":
            warnings.append(
                (
                    "encryption",
                    "encryption=AES_256 overrides the secure default KMS (AWS-managed key aws/ecr): checkov "
                    "CKV_AWS_136 requires KMS encryption.",
                )
            )
        if deviates(removal, d.removal_policy, s.removal_policy):
            warnings.append(
                (
                    "removalPolicy",
                    f"removal_policy={removal.value} overrides the secure default RETAIN: deleting the stack deletes "
                    "the repository.",
                )
            )
        if empty and deviates(empty, d.empty_on_delete, s.empty_on_delete):
            warnings.append(
                (
                    "emptyOnDelete",
                    "empty_on_delete=True overrides the secure default False: deleting the stack deletes every image.",
                )
            )
        if auto_delete_images:
            warnings.append(
                (
                    "autoDeleteImages",
                    "auto_delete_images=True overrides the secure default (off): it deletes every image through a "
                    "Lambda-backed custom resource; prefer empty_on_delete=True.",
                )
            )
        if no_lifecycle:
            warnings.append(
                (
                    "lifecycleRules",
                    f"lifecycle_rules=[] overrides the default lifecycle policy ({self._defaults.lifecycle_summary}): "
                    "images are kept forever (Security Hub ECR.3).",
                )
            )
        if not warnings:
            return
        annotations = Annotations.of(self)
        for setting, message in warnings:
            annotations.add_warning_v2(f"{WARNING_PREFIX}:{setting}", message)
        # The compliance rules read this and do not repeat a warning the construct gave.
        l1.add_metadata(
            WARNED_KEY, sorted({CONSTRUCT_WARNINGS[f"{WARNING_PREFIX}:{setting}"] for setting, _ in warnings})
        )


REQUIRE_KEY_CONTEXT = "ecr-patterns:requireCustomerManagedKey"
"""Context value that makes every pattern of the app require ``encryption_key`` (a preset-wide switch)."""


_REQUIRE_KEY_ATTRIBUTE = "_ecr_patterns_requires_key"


def _requires_key(scope: Construct, given: bool | None) -> bool:
    if given is not None:
        return given
    # Read once per scope (a call into Node costs about 0.25 ms): a scope's context cannot change once it has a
    # child (constructs refuses set_context then), and this repository is about to be one.
    cached: bool | None = getattr(scope, _REQUIRE_KEY_ATTRIBUTE, None)
    if cached is None:
        value = scope.node.try_get_context(REQUIRE_KEY_CONTEXT)
        # Context from the command line arrives as a string.
        cached = value is True or (isinstance(value, str) and value.lower() == "true")
        setattr(scope, _REQUIRE_KEY_ATTRIBUTE, cached)
    return cached


PULL_TIME_WARNING = f"{WARNING_PREFIX}:pullTimeExclusions"
PULL_TIME_RULE = "EcrPatterns-PullTimeExclusions"


def _counts_pulls(rules: Sequence[PolicyRule]) -> bool:
    return any(rule.selection.count_type is CountType.SINCE_IMAGE_PULLED for rule in rules)


@jsii.implements(IAspect)
class _PullTimeExclusionsWarning:
    """Warns, once, a repository whose lifecycle policy counts days since the last recorded pull while the app
    registers no pull-time update exclusions for its account and region; the compliance rule
    ``EcrPatterns-PullTimeExclusions`` then does not repeat it."""

    def __init__(self, repository: SecureRepository) -> None:
        self.repository = repository
        self.done = False

    def visit(self, node: IConstruct) -> None:
        if self.done or node is not self.repository:
            return
        self.done = True
        repository = self.repository
        from ecr_patterns.registry._environment import claimed

        if not _counts_pulls(repository._policy_rules) or claimed(repository, "pull-time update exclusions"):
            return
        Annotations.of(repository).add_warning_v2(
            PULL_TIME_WARNING,
            "a lifecycle rule counts days since the last recorded pull, but this app registers no pull-time update "
            "exclusions for this account and region: ECR records every pull but Amazon Inspector's, so a third-party "
            "scanner's pulls keep images looking in use; register its roles with "
            "ecr_patterns.registry.PullTimeUpdateExclusions.",
        )
        l1 = repository._l1
        warned = l1.get_metadata(WARNED_KEY) or []
        l1.add_metadata(WARNED_KEY, sorted({*warned, PULL_TIME_RULE}))


@cache
def _kms() -> ecr.RepositoryEncryption:
    # A jsii static property: each access is a call into Node, so read it once.
    return ecr.RepositoryEncryption.KMS


@cache
def _default_text(d: RepositoryDefaults) -> str | None:
    return render_lifecycle_policy(None, d.lifecycle_rules(), where=lambda: "default lifecycle policy")  # type: ignore[arg-type]


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
