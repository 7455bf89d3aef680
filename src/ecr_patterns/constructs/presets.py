"""Presets: ``DevRepository`` and ``ProdRepository``, each a ``SecureRepository`` with its own defaults."""

from __future__ import annotations

from typing import Any, ClassVar, Unpack

from aws_cdk import RemovalPolicy
from constructs import Construct

from ecr_patterns.constructs._checks import check_bool
from ecr_patterns.constructs.compliance.marks import mark_production
from ecr_patterns.constructs.compliance.suppressions import record_suppression
from ecr_patterns.constructs.registry.key import is_retained
from ecr_patterns.constructs.repository import RepositoryOptions, SecureRepository
from ecr_patterns.core.errors import Code, Problems
from ecr_patterns.core.guarantees import KEY_RETAIN_FIX
from ecr_patterns.core.presets import DEV, PROD, Preset

ALLOW_DESTROY_REASON = (
    "ProdRepository(allow_destroy=True): the stack owner opted in to deleting this production repository "
    "or its images with the stack"
)


class DevRepository(SecureRepository):
    """A repository for development images: cheap, disposable, still scanned and encrypted.

    Defaults that differ from ``SecureRepository`` (each overridable, none warned):
    ``image_tag_mutability=MUTABLE`` (re-push ``latest``), lifecycle "untagged images expire
    after 7 days, keep the last 10 images", ``removal_policy=DESTROY`` with
    ``empty_on_delete=True`` (deleting the stack deletes the repository and its images).
    With ``removal_policy=RETAIN`` the ``empty_on_delete`` default is ``False``: the repository
    and its images survive a stack delete. Takes every ``SecureRepository`` keyword.
    """

    _preset: ClassVar[Preset] = DEV


class ProdRepository(SecureRepository):
    """A repository for production images, which must never be lost by accident.

    Defaults: immutable tags, scan on push, KMS, ``removal_policy=RETAIN``, ``empty_on_delete=False``,
    and a lifecycle policy that deletes nothing: untagged images move to the archive storage class
    14 days after push, and every image beyond the newest 30 moves to archive. An archived image
    cannot be pulled until it is restored (ECR restores within 20 minutes) and is billed for at
    least 90 days; it is never deleted unless you add a rule that deletes archived images.
    ``RemovalPolicy.DESTROY``, ``empty_on_delete=True`` or ``auto_delete_images=True`` raise
    ``ValidationError`` unless ``allow_destroy=True`` is passed too (any later route to the same result fails synth,
    judged on the final template); then the pattern warns at synth, and
    the compliance rule ``EcrPatterns-ProductionRetention`` is suppressed with that reason. The same holds for
    an ``encryption_key`` defined in the app whose removal policy is not RETAIN (a stack delete would schedule
    it for deletion and leave every image unreadable): refused at once, or, when applied later by any route, judged
    on the key's final template resource at synth.
    Takes every ``SecureRepository`` keyword.

    :param allow_destroy: opt in to settings that delete the repository or its images.
        Default ``False``.
    """

    _preset: ClassVar[Preset] = PROD

    def __init__(
        self, scope: Construct, id: str, *, allow_destroy: bool = False, **kwargs: Unpack[RepositoryOptions]
    ) -> None:
        problems = Problems()
        check_bool(problems, "allow_destroy", allow_destroy, code=Code.REPOSITORY_ARGUMENTS)
        problems.raise_if_any(context=lambda: f"{scope.node.path}/{id}")
        self._allow_destroy = allow_destroy
        super().__init__(scope, id, **kwargs)
        l1 = self._l1
        # Marks the repository as production for EcrPatterns-ProductionRetention.
        mark_production(l1)
        if allow_destroy:
            # The opt-in is the user's documented, reasoned choice: our own rule reads it too.
            record_suppression(l1, "EcrPatterns-ProductionRetention", ALLOW_DESTROY_REASON)

    def _promises(self, requires_key: bool) -> dict[str, Any]:
        return {**super()._promises(requires_key), "allowDestroy": self._allow_destroy}

    def _check_key(self, problems: Problems, key: Any) -> None:
        # A key a stack delete schedules for deletion takes every image with it, RETAIN or not.
        if key is None or self._allow_destroy:
            return
        if is_retained(key) is False:
            problems.add("encryption_key", key.node.path, KEY_RETAIN_FIX, code=Code.REPOSITORY_PRODUCTION_DESTROY)

    def _check_destroy(
        self, problems: Problems, *, removal: RemovalPolicy, empty_on_delete: bool, auto_delete_images: bool
    ) -> None:
        # Constructor values fail at once; every later route is judged on the final template at synth.
        if self._allow_destroy:
            return
        fix = "production images must survive a stack delete; pass allow_destroy=True to opt in deliberately"
        code = Code.REPOSITORY_PRODUCTION_DESTROY
        if removal == RemovalPolicy.DESTROY:
            problems.add("removal_policy", "DESTROY", fix, code=code)
        if empty_on_delete:
            problems.add("empty_on_delete", True, fix, code=code)
        if auto_delete_images:
            problems.add("auto_delete_images", True, fix, code=code)
