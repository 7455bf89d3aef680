"""The patterns' defaults, once, as values of the repository model (plain Python, no ``aws_cdk``).

``SecureRepository``, ``DevRepository`` and ``ProdRepository`` take their defaults from here; so do staging,
bootstrap hardening, the catalog plan and adoption. :func:`weakenings` compares what deploys with a preset:
the patterns' synth-time guarantees report exactly its answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

from ecr_patterns.core import defaults
from ecr_patterns.core.lifecycle.model import LifecyclePolicy, PolicyRule
from ecr_patterns.core.lifecycle.standard import default_policy_rules, dev_policy_rules, prod_policy_rules
from ecr_patterns.core.settings import RETAINED, RETAINED_ON_REPLACE, RepositorySettings


@dataclass(frozen=True, eq=False)
class Preset:
    """A pattern's defaults: the settings it deploys when the user gives none."""

    class_name: str
    key: str
    """The catalog's and the CLI's name for it: ``secure``, ``dev``, ``prod``."""
    settings: RepositorySettings
    """Everything but the lifecycle policy, which :attr:`lifecycle_rules` builds."""
    lifecycle_rules: Callable[[], list[PolicyRule]]
    lifecycle_summary: str
    production: bool = False
    """Its repositories are production: a stack delete must never take them or their images."""

    @cached_property
    def lifecycle_policy(self) -> LifecyclePolicy:
        return LifecyclePolicy.from_rules(self.lifecycle_rules())

    @cached_property
    def effective(self) -> RepositorySettings:
        """The preset's settings with its lifecycle policy text."""
        return replace(self.settings, lifecycle_policy=self.lifecycle_policy.to_text())


_SECURE_SETTINGS = RepositorySettings(
    source="template",
    scan_on_push=defaults.SCAN_ON_PUSH,
    tag_mutability=defaults.TAG_MUTABILITY,
    encryption_type=defaults.ENCRYPTION_TYPE,
    deletion_policy="Retain",
    update_replace_policy="Retain",
)

SECURE = Preset(
    class_name="SecureRepository",
    key="secure",
    settings=_SECURE_SETTINGS,
    lifecycle_rules=default_policy_rules,
    lifecycle_summary=(
        f"untagged images expire after {defaults.UNTAGGED_EXPIRY_DAYS} days, keep the last "
        f"{defaults.MAX_IMAGE_COUNT} images"
    ),
)
DEV = Preset(
    class_name="DevRepository",
    key="dev",
    settings=replace(
        _SECURE_SETTINGS,
        tag_mutability="MUTABLE",
        deletion_policy="Delete",
        update_replace_policy="Delete",
        empty_on_delete=True,
    ),
    lifecycle_rules=dev_policy_rules,
    lifecycle_summary=(
        f"untagged images expire after {defaults.DEV_UNTAGGED_EXPIRY_DAYS} days, keep the last "
        f"{defaults.DEV_MAX_IMAGE_COUNT} images"
    ),
)
PROD = Preset(
    class_name="ProdRepository",
    key="prod",
    settings=_SECURE_SETTINGS,
    lifecycle_rules=prod_policy_rules,
    lifecycle_summary=(
        f"untagged images move to archive {defaults.PROD_UNTAGGED_ARCHIVE_DAYS} days after push, all but the "
        f"newest {defaults.PROD_ACTIVE_IMAGE_COUNT} images move to archive, nothing is deleted"
    ),
    production=True,
)
PRESETS: dict[str, Preset] = {p.class_name: p for p in (SECURE, DEV, PROD)}
"""By class name, as the template metadata ``ecr-patterns:pattern`` names them."""
PRESETS_BY_KEY: dict[str, Preset] = {p.key: p for p in (SECURE, DEV, PROD)}


SETTING_RULES: dict[str, str] = {
    "imageScanOnPush": "EcrPatterns-ScanOnPush",
    "imageTagMutability": "EcrPatterns-TagImmutability",
    "encryption": "EcrPatterns-Encryption",
    "lifecycleRules": "EcrPatterns-LifecyclePolicy",
    "removalPolicy": "EcrPatterns-ProductionRetention",
    "emptyOnDelete": "EcrPatterns-ProductionRetention",
    "autoDeleteImages": "EcrPatterns-ProductionRetention",
}
"""Each setting a pattern warns about (warning id ``ecr-patterns:<setting>``) and the compliance rule that judges the
same setting: one acknowledgement covers both."""


@dataclass(frozen=True)
class Weakening:
    """One setting that deploys weaker than the preset's secure default."""

    setting: str
    """The construct's warning id suffix (``imageScanOnPush``...): ``ecr-patterns:<setting>``."""
    location: str
    message: str
    retention: bool = False
    """It deletes the repository or its images with the stack (an error on a production pattern)."""

    @property
    def rule_id(self) -> str:
        """The compliance rule that judges the same setting."""
        return SETTING_RULES[self.setting]


def weakenings(actual: RepositorySettings, preset: Preset) -> list[Weakening]:
    """Each setting of ``actual`` that is weaker than the secure default, where ``preset``'s own documented
    default is not (``DevRepository``'s ``MUTABLE`` is not a weakening of a ``DevRepository``)."""
    mine, secure = preset.settings, SECURE.settings
    found = []
    if not actual.scan_on_push and (mine.scan_on_push or secure.scan_on_push):
        found.append(_SCAN)
    if actual.tag_mutability not in ("IMMUTABLE", mine.tag_mutability):
        found.append(_mutability(actual.tag_mutability))
    if actual.encryption_type == "AES256":
        found.append(_AES)
    if actual.lifecycle_policy is None:
        found.append(_no_lifecycle(preset))
    found += _retention(actual, mine)
    return found


def _retention(actual: RepositorySettings, mine: RepositorySettings) -> list[Weakening]:
    found = []
    deleting = [
        f"{label} is {value}"
        for attribute, label, kept in (
            ("deletion_policy", "DeletionPolicy", RETAINED),
            ("update_replace_policy", "UpdateReplacePolicy", RETAINED_ON_REPLACE),
        )
        if (value := getattr(actual, attribute)) is not None and value not in kept and value != getattr(mine, attribute)
    ]
    if deleting:
        found.append(
            Weakening(
                "removalPolicy",
                deleting[0].split(" ", 1)[0],
                f"{' and '.join(deleting)}, not the secure default Retain: deleting the stack (or replacing the "
                "repository) deletes the repository and its images",
                retention=True,
            )
        )
    if actual.empty_on_delete and not mine.empty_on_delete:
        found.append(
            Weakening(
                "emptyOnDelete",
                "Properties.EmptyOnDelete",
                "EmptyOnDelete is true, not the secure default false: deleting the stack deletes every image",
                retention=True,
            )
        )
    if actual.auto_delete_images:
        found.append(
            Weakening(
                "autoDeleteImages",
                "Custom::ECRAutoDeleteImages",
                "a Custom::ECRAutoDeleteImages resource (auto_delete_images=True) deletes every image with the stack; "
                "the secure default keeps them; prefer empty_on_delete=True",
                retention=True,
            )
        )
    return found


_SCAN = Weakening(
    "imageScanOnPush",
    "Properties.ImageScanningConfiguration.ScanOnPush",
    "image_scan_on_push=False overrides the secure default image_scan_on_push=True: pushed images are not scanned "
    "(Security Hub ECR.1, checkov CKV_AWS_163) unless a registry scanning configuration covers them",
)
_AES = Weakening(
    "encryption",
    "Properties.EncryptionConfiguration",
    "encryption=AES_256 overrides the secure default KMS (AWS-managed key aws/ecr): checkov CKV_AWS_136 requires "
    "KMS encryption",
)


def _mutability(value: str) -> Weakening:
    return Weakening(
        "imageTagMutability",
        "Properties.ImageTagMutability",
        f"image_tag_mutability={value} overrides the secure default IMMUTABLE: tags can be moved to other images "
        "(Security Hub ECR.2, checkov CKV_AWS_51 accepts only IMMUTABLE)",
    )


def _no_lifecycle(preset: Preset) -> Weakening:
    return Weakening(
        "lifecycleRules",
        "Properties.LifecyclePolicy",
        f"no lifecycle policy overrides the default ({preset.lifecycle_summary}): images are kept forever "
        "(Security Hub ECR.3)",
    )
