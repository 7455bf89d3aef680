"""Presets: ``DevRepository`` and ``ProdRepository``, each a ``SecureRepository`` with its own defaults."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_patterns import defaults
from ecr_patterns.compliance.marks import mark_production
from ecr_patterns.errors import ValidationError, Violation
from ecr_patterns.lifecycle.rules import standard_dev_lifecycle_rules, standard_prod_lifecycle_rules
from ecr_patterns.lifecycle.standard import dev_policy_rules, prod_policy_rules
from ecr_patterns.repository import RepositoryDefaults, SecureRepository

DEV_DEFAULTS = RepositoryDefaults(
    image_scan_on_push=True,
    image_tag_mutability=ecr.TagMutability.MUTABLE,
    removal_policy=RemovalPolicy.DESTROY,
    empty_on_delete=True,
    lifecycle_rules=dev_policy_rules,
    l2_lifecycle_rules=cache(lambda: tuple(standard_dev_lifecycle_rules())),
    lifecycle_summary=(
        f"untagged images expire after {defaults.DEV_UNTAGGED_EXPIRY_DAYS} days, keep the last "
        f"{defaults.DEV_MAX_IMAGE_COUNT} images"
    ),
)

PROD_DEFAULTS = RepositoryDefaults(
    image_scan_on_push=True,
    image_tag_mutability=ecr.TagMutability.IMMUTABLE,
    removal_policy=RemovalPolicy.RETAIN,
    empty_on_delete=False,
    lifecycle_rules=prod_policy_rules,
    l2_lifecycle_rules=cache(lambda: tuple(standard_prod_lifecycle_rules())),
    lifecycle_summary=(
        f"untagged images expire after {defaults.PROD_UNTAGGED_EXPIRY_DAYS} days, keep the last "
        f"{defaults.PROD_MAX_IMAGE_COUNT} images"
    ),
)


class DevRepository(SecureRepository):
    """A repository for development images: cheap, disposable, still scanned and encrypted.

    Defaults that differ from ``SecureRepository`` (each overridable):
    ``image_tag_mutability=MUTABLE`` (re-push ``latest``), lifecycle "untagged images expire
    after 7 days, keep the last 10 images", ``removal_policy=DESTROY`` with
    ``empty_on_delete=True`` (deleting the stack deletes the repository and its images).
    Takes every ``SecureRepository`` keyword.
    """

    _defaults: ClassVar[RepositoryDefaults] = DEV_DEFAULTS


class ProdRepository(SecureRepository):
    """A repository for production images, which must never be lost by accident.

    Defaults: immutable tags, scan on push, KMS, lifecycle "untagged images expire after
    14 days, keep the last 30 images", ``removal_policy=RETAIN``, ``empty_on_delete=False``.
    ``RemovalPolicy.DESTROY``, ``empty_on_delete=True`` or ``auto_delete_images=True`` raise
    ``ValidationError`` unless ``allow_destroy=True`` is passed too (then a warning is added).
    Takes every ``SecureRepository`` keyword.

    :param allow_destroy: opt in to settings that delete the repository or its images.
        Default ``False``.
    """

    _defaults: ClassVar[RepositoryDefaults] = PROD_DEFAULTS

    def __init__(self, scope: Construct, id: str, *, allow_destroy: bool = False, **kwargs: Any) -> None:
        self._allow_destroy = allow_destroy
        super().__init__(scope, id, **kwargs)
        # Marks the repository as production for EcrPatterns-ProductionRetention.
        mark_production(self._l1)

    def _check_destroy(self, *, removal: RemovalPolicy, empty_on_delete: bool, auto_delete_images: bool) -> None:
        if self._allow_destroy:
            return
        fix = "production images must survive a stack delete; pass allow_destroy=True to opt in deliberately"
        problems = []
        if removal == RemovalPolicy.DESTROY:
            problems.append(Violation("removal_policy", "DESTROY", fix))
        if empty_on_delete:
            problems.append(Violation("empty_on_delete", True, fix))
        if auto_delete_images:
            problems.append(Violation("auto_delete_images", True, fix))
        if problems:
            raise ValidationError(problems, context="ProdRepository")
