"""``SecureRepository``: an ``aws_ecr.Repository`` that is secure and cheap by default."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from aws_cdk import Annotations, RemovalPolicy, Stack, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk.interfaces import aws_kms as kms_refs
from constructs import Construct

from ecr_patterns import defaults, grants
from ecr_patterns.errors import ValidationError
from ecr_patterns.lifecycle.model import LifecyclePolicy, PolicyRule
from ecr_patterns.lifecycle.rules import default_lifecycle_rules, to_policy_rule
from ecr_patterns.lifecycle.standard import default_policy_rules
from ecr_patterns.lifecycle.validate import validate_lifecycle_policy

WARNING_PREFIX = "ecr-patterns"


@dataclass(frozen=True)
class RepositoryDefaults:
    """The defaults a repository class applies when the user leaves a setting out."""

    image_scan_on_push: bool
    image_tag_mutability: ecr.TagMutability
    removal_policy: RemovalPolicy
    empty_on_delete: bool
    lifecycle_rules: Callable[[], list[PolicyRule]]
    """The default policy as engine rules: built in Python, no call into Node."""
    l2_lifecycle_rules: Callable[[], Sequence[ecr.LifecycleRule]]
    """The same policy as ``aws_ecr.LifecycleRule`` structs, built once per process."""
    lifecycle_summary: str


SECURE_DEFAULTS = RepositoryDefaults(
    image_scan_on_push=defaults.SCAN_ON_PUSH,
    image_tag_mutability=ecr.TagMutability.IMMUTABLE,
    removal_policy=RemovalPolicy.RETAIN,
    empty_on_delete=False,
    lifecycle_rules=default_policy_rules,
    l2_lifecycle_rules=cache(lambda: tuple(default_lifecycle_rules())),
    lifecycle_summary=(
        f"untagged images expire after {defaults.UNTAGGED_EXPIRY_DAYS} days, keep the last "
        f"{defaults.MAX_IMAGE_COUNT} images"
    ),
)
"""SecureRepository's defaults; a user value that is not one of these gets a warning."""


class SecureRepository(ecr.Repository):
    """An ECR repository with secure, cheap defaults that pass checkov and Security Hub ECR.1-3.

    Every ``aws_ecr.RepositoryProps`` keyword is accepted. Leaving a setting out applies the
    secure default; giving a value that weakens it adds a warning annotation (visible in
    ``cdk synth``) that names the default. Lifecycle rules are validated as ECR would
    validate them, when they are given, so a bad policy fails synth instead of a deploy.

    :param image_scan_on_push: basic scan of every pushed image. Default ``True``.
    :param image_tag_mutability: default ``TagMutability.IMMUTABLE``. To exempt tags such as
        ``latest``, pass ``image_tag_mutability_exclusion_filters`` (the mutability then
        defaults to ``IMMUTABLE_WITH_EXCLUSION``; checkov's CKV_AWS_51 accepts only ``IMMUTABLE``).
    :param image_tag_mutability_exclusion_filters: tags exempt from the mutability setting
        (1 to 5 filters). Default ``None``.
    :param encryption: default ``RepositoryEncryption.KMS`` with the AWS-managed key ``aws/ecr``.
        ``KMS_DSSE`` (dual-layer) is supported, with or without ``encryption_key``.
        ``AES_256`` is written out explicitly and warned about (checkov's CKV_AWS_136 wants KMS).
    :param encryption_key: a customer managed KMS key. Default ``None`` (the AWS-managed key).
    :param lifecycle_rules: default: untagged images expire after 14 days, keep the last
        1,000 images. ``[]`` means no lifecycle policy at all (warned: Security Hub ECR.3).
    :param lifecycle_registry_id: default ``None`` (the account of the stack).
    :param removal_policy: default ``RemovalPolicy.RETAIN``: a stack delete keeps the images.
    :param empty_on_delete: delete the images when the repository is deleted (needs
        ``RemovalPolicy.DESTROY``). Default ``False``.
    :param auto_delete_images: aws-cdk-lib's Lambda-backed predecessor of ``empty_on_delete``.
        Default ``None`` (off); prefer ``empty_on_delete``.
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
        empty = d.empty_on_delete if empty_on_delete is None else empty_on_delete
        encryption_type = _encryption_type(encryption, encryption_key)
        self._check_destroy(removal=removal, empty_on_delete=empty, auto_delete_images=bool(auto_delete_images))

        # Lifecycle rules are validated before the L2 sees them, so a policy ECR would reject fails
        # with our message. The L2 renders construction-time rules itself (no call into Node);
        # rules added later, archive rules and token values are rendered on the L1 by us.
        if lifecycle_rules is None:
            l2_rules = list(d.l2_lifecycle_rules())
            model = d.lifecycle_rules()
        else:
            l2_rules = list(lifecycle_rules)
            model = [to_policy_rule(r) for r in l2_rules]
        l2_renders = not _checked_policy(model, where=lambda: f"{scope.node.path}/{id}")

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
            lifecycle_rules=l2_rules if l2_renders else None,
            lifecycle_registry_id=lifecycle_registry_id if l2_renders else None,
            removal_policy=removal,
            empty_on_delete=empty if empty else None,
            auto_delete_images=auto_delete_images,
            repository_name=repository_name,
            **kwargs,
        )
        self._policy_rules: list[PolicyRule] = model
        self._lifecycle_registry_id = lifecycle_registry_id
        if encryption_type != "KMS":
            self._l1.encryption_configuration = ecr.CfnRepository.EncryptionConfigurationProperty(
                encryption_type=encryption_type,
                kms_key=encryption_key.key_ref.key_arn if encryption_key is not None else None,
            )
        if not l2_renders:
            self._render_lifecycle()

        self._warn_overrides(
            scan=scan,
            mutability=mutability,
            encryption_type=encryption_type,
            removal=removal,
            empty=empty,
            auto_delete_images=bool(auto_delete_images),
            no_lifecycle=lifecycle_rules is not None and not self._policy_rules,
        )

    # -- lifecycle -------------------------------------------------------------------------

    def add_lifecycle_rule(self, rule: ecr.LifecycleRule) -> None:  # type: ignore[override]
        """Add a lifecycle rule; the whole policy is validated at once (``ValidationError``)."""
        self._set_policy_rules([*self._policy_rules, to_policy_rule(rule)])

    def add_lifecycle_policy_rule(self, *rules: PolicyRule) -> None:
        """Add engine rules, including what ``aws_ecr.LifecycleRule`` cannot express (archive
        storage class: ``sinceImagePulled``, ``transition``, ``sinceImageTransitioned``), e.g.
        from :func:`ecr_patterns.lifecycle.archive_images_not_pulled_for_days`. They share one
        policy and one priority numbering with the other rules."""
        self._set_policy_rules([*self._policy_rules, *rules])

    @property
    def lifecycle_policy(self) -> LifecyclePolicy:
        """The lifecycle policy as rendered, priorities assigned (for ``preview_lifecycle_policy``)."""
        return LifecyclePolicy.from_rules(self._policy_rules)

    @property
    def _l1(self) -> ecr.CfnRepository:
        return self.node.default_child  # type: ignore[return-value]

    def _set_policy_rules(self, rules: list[PolicyRule]) -> None:
        _checked_policy(rules, where=lambda: self.node.path)
        self._policy_rules = rules
        self._render_lifecycle()

    def _render_lifecycle(self) -> None:
        """Write the whole policy on the L1 (it replaces what the L2 would render)."""
        policy = LifecyclePolicy.from_rules(self._policy_rules)
        data = policy.to_json()
        if not self._policy_rules:
            text = None
        elif _has_token(data):
            # Unresolved values cannot be judged now; CloudFormation resolves them.
            text = Stack.of(self).to_json_string(data)
        else:
            text = policy.to_text()
        if text is None and self._lifecycle_registry_id is None:
            self._l1.lifecycle_policy = None
        else:
            self._l1.lifecycle_policy = ecr.CfnRepository.LifecyclePolicyProperty(
                lifecycle_policy_text=text, registry_id=self._lifecycle_registry_id
            )

    # -- grants ------------------------------------------------------------------------------

    def grant_pull_to_accounts(self, *account_ids: str) -> iam.AddToResourcePolicyResult:
        """Let whole AWS accounts pull (the three pull actions only). See :mod:`ecr_patterns.grants`."""
        return grants.grant_pull_to_accounts(self, *account_ids)

    def grant_pull_to_organization(self, organization_id: str) -> iam.AddToResourcePolicyResult:
        """Let every principal of an AWS Organization pull. See :mod:`ecr_patterns.grants`."""
        return grants.grant_pull_to_organization(self, organization_id)

    def grant_lambda_pull(self, *account_ids: str, grant_accounts: bool = True) -> iam.AddToResourcePolicyResult:
        """Let container-image Lambda functions of other accounts pull. See :mod:`ecr_patterns.grants`."""
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
        """Send successful pushes (of tags with these prefixes; default every push) to a target."""
        from ecr_patterns.registry.events import notify_on_image_push

        return notify_on_image_push(self, target, tag_prefixes=tag_prefixes)

    # -- defaults and warnings ---------------------------------------------------------------

    def _check_destroy(self, *, removal: RemovalPolicy, empty_on_delete: bool, auto_delete_images: bool) -> None:
        """Hook for presets that refuse settings which delete images (ProdRepository)."""

    def _warn(self, setting: str, message: str) -> None:
        Annotations.of(self).add_warning_v2(f"{WARNING_PREFIX}:{setting}", message)

    def _warn_overrides(
        self,
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

        def deviates(value: object, default: object, secure: object) -> bool:
            # A preset's own documented default is not a user override.
            return value != default and value != secure

        if deviates(scan, d.image_scan_on_push, s.image_scan_on_push):
            self._warn(
                "imageScanOnPush",
                "image_scan_on_push=False overrides the secure default image_scan_on_push=True: pushed images are not "
                "scanned (Security Hub ECR.1, checkov CKV_AWS_163) unless a registry scanning configuration "
                "covers them.",
            )
        if deviates(mutability, d.image_tag_mutability, s.image_tag_mutability):
            self._warn(
                "imageTagMutability",
                f"image_tag_mutability={mutability.value} overrides the secure default IMMUTABLE: tags can be "
                "moved to other images (Security Hub ECR.2, checkov CKV_AWS_51 accepts only IMMUTABLE).",
            )
        if encryption_type == "AES256":
            self._warn(
                "encryption",
                "encryption=AES_256 overrides the secure default KMS (AWS-managed key aws/ecr): checkov "
                "CKV_AWS_136 requires KMS encryption.",
            )
        if deviates(removal, d.removal_policy, s.removal_policy):
            self._warn(
                "removalPolicy",
                f"removal_policy={removal.value} overrides the secure default RETAIN: deleting the stack deletes "
                "the repository.",
            )
        if deviates(empty, d.empty_on_delete, s.empty_on_delete):
            self._warn(
                "emptyOnDelete",
                "empty_on_delete=True overrides the secure default False: deleting the stack deletes every image.",
            )
        if auto_delete_images:
            self._warn(
                "autoDeleteImages",
                "auto_delete_images=True overrides the secure default (off): it deletes every image through a "
                "Lambda-backed custom resource; prefer empty_on_delete=True.",
            )
        if no_lifecycle:
            self._warn(
                "lifecycleRules",
                f"lifecycle_rules=[] overrides the default lifecycle policy ({self._defaults.lifecycle_summary}): "
                "images are kept forever (Security Hub ECR.3).",
            )


@cache
def _kms() -> ecr.RepositoryEncryption:
    # A jsii static property: each access is a call into Node, so read it once.
    return ecr.RepositoryEncryption.KMS


def _encryption_type(encryption: ecr.RepositoryEncryption | None, key: kms_refs.IKeyRef | None) -> str:
    """The ``EncryptionType`` to write, checking the combination once."""
    if encryption is None:
        return "KMS"
    value = str(encryption.value)
    if value == "AES256" and key is not None:
        raise ValidationError.single(
            "encryption",
            value,
            "an encryption_key needs encryption=RepositoryEncryption.KMS or KMS_DSSE; remove the key for AES256",
        )
    if value not in ("AES256", "KMS", "KMS_DSSE"):
        raise ValidationError.single("encryption", value, "use RepositoryEncryption.KMS, KMS_DSSE or AES_256")
    return value


def _checked_policy(rules: list[PolicyRule], *, where: Callable[[], str]) -> bool:
    """Validate the policy these rules make; ``True`` when it holds tokens (then it is not judged:
    CloudFormation resolves them)."""
    data = LifecyclePolicy.from_rules(rules).to_json()
    if not rules:
        return False
    if _has_token(data):
        return True
    try:
        validate_lifecycle_policy(data)
    except ValidationError as err:
        raise ValidationError(err.violations, context=f"{where()}: lifecycle_rules") from None
    return False


def _has_token(value: object) -> bool:
    """True when a JSON-like value holds an unresolved CDK token.

    Only floats and strings that look like encoded tokens are asked about (one call into
    Node each); the ints and plain strings our helpers produce cost nothing.
    """
    if isinstance(value, dict):
        return any(_has_token(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_token(v) for v in value)
    if isinstance(value, float) or (isinstance(value, str) and "Token[" in value):
        return bool(Token.is_unresolved(value))
    return False
