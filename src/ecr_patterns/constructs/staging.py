"""Secure staging resources for the app-staging synthesizer (``pip install 'ecr-patterns[staging]'``).

``aws-cdk.app-staging-synthesizer-alpha`` makes one repository per image asset in a staging stack: IMMUTABLE,
keep the newest 3, no scanning, no KMS, and its repository-creating method is private. :class:`SecureStagingStack`
lets the alpha's ``DefaultStagingStack`` create each repository (so names, grants and the publishing role stay
exactly its own) and then gives the repository's L1 ``SecureRepository``'s defaults from
:mod:`ecr_patterns.core.presets` (``SECURE``): scan on push, IMMUTABLE, KMS, and a lifecycle policy validated as
ECR would (the
untagged rule plus the alpha's "keep the newest N"). No Lambda-backed custom resource: the alpha's
auto-delete of staging assets is off.

The staging stack is deployed without a bucket, so its template must stay small: the CDK CLI sends it as a
template body only up to 50 KiB of YAML (``LARGE_TEMPLATE_SIZE_KB = 50`` in its ``makeBodyParameter``), and the
alpha itself fails synth when the template file it writes exceeds 51,200 bytes (``_synthesizeTemplate`` in
``default-staging-stack.js``; the stricter of the two), whose message names the bytes only and which runs while
the file is written, where no hook of ours reaches. :class:`SecureStagingStack` checks first, at validation,
and names the number of image assets (``staging.size``). How many fit is measured in the tests and given in
README.
"""

from __future__ import annotations

import inspect
import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_s3 as s3
from aws_cdk.app_staging_synthesizer_alpha import (
    AppStagingSynthesizer,
    DefaultStagingStack,
    ImageStagingLocation,
    IStagingResources,
    IStagingResourcesFactory,
)
from constructs import Construct, IValidation

from ecr_patterns.core import defaults
from ecr_patterns.core.errors import Code, ValidationError
from ecr_patterns.core.lifecycle.model import LifecyclePolicy
from ecr_patterns.core.lifecycle.standard import expire_untagged, keep_last
from ecr_patterns.core.lifecycle.validate import validate_lifecycle_policy
from ecr_patterns.core.presets import SECURE

TEMPLATE_FILE_LIMIT = 51_200
STAND_IN_TEMPLATE: dict[str, Any] = {
    "source_hash": "0" * 64,
    "deploy_time": True,
    "file_name": "App.template.json",
    "packaging": cdk.FileAssetPackaging.FILE,
}
"""The file asset every app stack adds to the staging stack: its own template (measured: the alpha records
``deploy_time=True``, ``packaging=FILE``)."""
"""The alpha fails synth when the staging stack's template file is larger (bytes)."""
IMAGE_VERSIONS = 3
"""The alpha's default ``image_asset_version_count``."""


def staging_lifecycle_policy(image_versions: int = IMAGE_VERSIONS) -> LifecyclePolicy:
    """Untagged images expire after ``defaults.UNTAGGED_EXPIRY_DAYS``; all but the newest ``image_versions``
    images expire (the alpha's rollback window). Validated as ECR would validate it.

    :param image_versions: default 3 (the alpha's default).
    """
    if isinstance(image_versions, bool) or not isinstance(image_versions, int) or image_versions < 1:
        raise ValidationError.single(
            "image_versions", image_versions, "a whole number >= 1", code=Code.LIFECYCLE_ARGUMENT
        )
    # No descriptions: every byte of the policy text counts against the staging template's 51,200 bytes.
    rules = (
        replace(expire_untagged(defaults.UNTAGGED_EXPIRY_DAYS), rule_priority=1, description=None),
        replace(keep_last(image_versions), rule_priority=2, description=None),
    )
    return validate_lifecycle_policy(LifecyclePolicy(rules).to_json())


class SecureStagingStack(DefaultStagingStack):
    """The alpha's ``DefaultStagingStack`` whose per-asset repositories carry ``SecureRepository``'s defaults.

    :param kms: default ``True``: KMS with the AWS managed key ``aws/ecr``. Encryption is create-only: a staging
        stack deployed before without it would have each (custom-named) repository replaced, which
        CloudFormation refuses; keep ``False`` for those.
    :param image_versions: default 3: images beyond the newest N of a repository expire.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        app_id: str,
        qualifier: str,
        staging_bucket_encryption: s3.BucketEncryption,
        deploy_role_arn: str | None = None,
        kms: bool = True,
        image_versions: int = IMAGE_VERSIONS,
        _measuring: bool = False,
        **kwargs: Any,
    ) -> None:
        self._policy_text = staging_lifecycle_policy(image_versions).to_text()
        self._kms = kms
        self._hardened: set[str] = set()
        self._settings: dict[str, Any] = {
            "app_id": app_id,
            "qualifier": qualifier,
            "staging_bucket_encryption": staging_bucket_encryption,
            "deploy_role_arn": deploy_role_arn,
            "kms": kms,
            "image_versions": image_versions,
            # The stack's own props (its name may appear in the template), but its environment: the twin's own.
            **{k: v for k, v in kwargs.items() if k != "env"},
        }
        super().__init__(
            scope,  # type: ignore[arg-type]  # the alpha types its scope as App; any construct works
            id,
            app_id=app_id,
            qualifier=qualifier,
            deploy_role_arn=deploy_role_arn,
            staging_bucket_encryption=staging_bucket_encryption,
            auto_delete_staging_assets=False,  # the alpha deletes them with a Lambda-backed custom resource
            image_asset_version_count=image_versions,
            **kwargs,
        )
        self._asset_names: list[str] = []
        self._files: list[dict[str, Any]] = []
        if not _measuring:
            # Before synthesis, so a staging stack that would be too large fails naming its image assets, not only
            # bytes (the alpha's own check runs while it writes the file, where no hook of ours can reach).
            self.node.add_validation(_StagingTemplateSize(self))

    def add_docker_image(self, asset: Any = None, **fields: Any) -> ImageStagingLocation:
        # From Node the asset arrives as one DockerImageAssetSource; from Python as its fields (jsii lifts a
        # struct parameter into keyword arguments only for calls made in Python).
        values = _struct_fields(asset) if asset is not None else fields
        location: ImageStagingLocation = super().add_docker_image(**values)
        self._asset_names.append(str(values.get("asset_name")))
        for repository in self.staging_repos.values():
            path = repository.node.path
            if path in self._hardened:
                continue
            self._harden(repository)
            self._hardened.add(path)
        return location

    def add_file(self, asset: Any = None, **fields: Any) -> Any:
        # Recorded for measure_template: the first file asset makes the staging bucket and its role.
        values = _struct_fields(asset) if asset is not None else fields
        self._files.append(values)
        return super().add_file(**values)

    def measure_template(self) -> int:
        """The bytes of the template this stack would write: the same staging stack (settings, context, image
        asset names) synthesized alone in a throwaway app. The alpha refuses to write more than 51,200 bytes; the
        size it reports then is returned."""
        with tempfile.TemporaryDirectory() as out:
            app = cdk.App(outdir=out, context=dict(self.node.get_all_context()))
            twin = SecureStagingStack(
                app,
                self.node.id,  # the construct path appears in the template (overflow policies' descriptions)
                **self._settings,
                _measuring=True,
                env=cdk.Environment(account=self.account, region=self.region),
            )
            # Each app stack's template is a deploy-time file asset, added while the app synthesizes (after this
            # check runs): a stand-in makes the staging bucket and its role, as the first file asset does.
            for values in self._files or [STAND_IN_TEMPLATE]:
                twin.add_file(**values)
            for index, name in enumerate(self._asset_names):
                twin.add_docker_image(source_hash=f"{index:064x}", asset_name=name)
            try:
                app.synth()
            except RuntimeError as err:
                found = re.search(r"but got (\d+) bytes", str(err))
                if found:
                    return int(found.group(1))
                raise
            return Path(out, f"{twin.artifact_id}.template.json").stat().st_size

    @property
    def image_assets(self) -> int:
        """Image assets staged here (one repository each)."""
        return len(self._hardened)

    def _harden(self, repository: ecr.Repository) -> None:
        l1 = repository.node.default_child
        if not isinstance(l1, ecr.CfnRepository):  # pragma: no cover - the alpha always makes an L2
            raise TypeError("the staging repository has no CfnRepository")
        # SecureRepository's defaults, from the one definition (ecr_patterns.core.presets.SECURE).
        secure = SECURE.settings
        l1.image_scanning_configuration = ecr.CfnRepository.ImageScanningConfigurationProperty(
            scan_on_push=secure.scan_on_push
        )
        l1.image_tag_mutability = secure.tag_mutability
        l1.lifecycle_policy = ecr.CfnRepository.LifecyclePolicyProperty(lifecycle_policy_text=self._policy_text)
        if self._kms:
            l1.encryption_configuration = ecr.CfnRepository.EncryptionConfigurationProperty(
                encryption_type=secure.encryption_type
            )


def _struct_fields(struct: Any) -> dict[str, Any]:
    """A jsii struct's fields through its public properties (the keyword names of its class's constructor), the
    ones set only: what the struct's own keyword form takes back."""
    names = [n for n in inspect.signature(type(struct).__init__).parameters if n != "self"]
    return {n: v for n in names if (v := getattr(struct, n)) is not None}


ROUGH_BYTES_PER_ASSET = 1_432
"""What one image asset with a 6-character name added to the staging template in the measurements (no
``minimizePolicies`` flag: its statements are not merged), 4 bytes more per further character: a rough size."""
ROUGH_BASE_BYTES = 5_200
MEASURE_FROM = 0.8
"""The rough size is no bound (32 assets measured 51,823 bytes where it says 51,112): from 80 % of the limit on,
the stack is measured exactly."""


@jsii.implements(IValidation)
class _StagingTemplateSize:
    def __init__(self, stack: SecureStagingStack) -> None:
        self.stack = stack

    def validate(self) -> list[str]:
        names = self.stack._asset_names
        bound = ROUGH_BASE_BYTES + sum(ROUGH_BYTES_PER_ASSET + 4 * max(0, len(n) - 6) for n in names)
        if bound <= MEASURE_FROM * TEMPLATE_FILE_LIMIT:
            return []
        size = self.stack.measure_template()
        if size <= TEMPLATE_FILE_LIMIT:
            return []
        return [
            f"[{Code.STAGING_SIZE}] {len(names)} image assets: the staging template would be {size:,} bytes, more "
            f"than the {TEMPLATE_FILE_LIMIT:,} the app-staging synthesizer allows (it deploys the staging stack "
            "without a bucket). Fix: split the image assets over more apps (one staging stack per app id), or use "
            "the default synthesizer for this app"
        ]


@jsii.implements(IStagingResourcesFactory)
class SecureStagingFactory:
    """The factory ``AppStagingSynthesizer.custom_factory`` takes: a :class:`SecureStagingStack` per environment,
    named as the alpha's own factory names its staging stacks.

    :param app_id: the alpha's ``app_id`` (lowercase letters, digits and dashes, at most 20).
    :param staging_bucket_encryption: the alpha's required ``staging_bucket_encryption``.
    :param kms: default ``True``; see :class:`SecureStagingStack`.
    :param image_versions: default 3.
    :param staging_stack_name_prefix: default ``"StagingStack"`` (the alpha's).
    """

    def __init__(
        self,
        *,
        app_id: str,
        staging_bucket_encryption: s3.BucketEncryption,
        kms: bool = True,
        image_versions: int = IMAGE_VERSIONS,
        staging_stack_name_prefix: str = "StagingStack",
    ) -> None:
        staging_lifecycle_policy(image_versions)  # bad input fails at once
        # The alpha's own normalisation of the app id (DefaultStagingStack.factory).
        self.app_id = "".join(c if c.isalnum() or c == "-" else "-" for c in app_id.lower())[:20]
        self._encryption = staging_bucket_encryption
        self._kms = kms
        self._versions = image_versions
        self._prefix = staging_stack_name_prefix
        self.stacks: list[SecureStagingStack] = []

    def obtain_staging_resources(
        self, stack: cdk.Stack, *, environment_string: str, qualifier: str, deploy_role_arn: str | None = None
    ) -> IStagingResources:
        app = cdk.App.of(stack)
        if not isinstance(app, cdk.App):
            raise ValidationError.single(
                "stack",
                stack.node.path,
                "must be in an App (not a Stage) for a staging stack",
                code=Code.REPOSITORY_ARGUMENTS,
            )
        staging = SecureStagingStack(
            app,
            f"{self._prefix}-{self.app_id}-{environment_string}",
            app_id=self.app_id,
            qualifier=qualifier,
            deploy_role_arn=deploy_role_arn,
            staging_bucket_encryption=self._encryption,
            kms=self._kms,
            image_versions=self._versions,
            stack_name=f"{self._prefix}-{self.app_id}",
            env=cdk.Environment(account=stack.account, region=stack.region),
        )
        self.stacks.append(staging)
        return staging

    def synthesizer(self) -> AppStagingSynthesizer:
        """``AppStagingSynthesizer.custom_factory(factory=self, once_per_env=True)``."""
        return AppStagingSynthesizer.custom_factory(factory=self, once_per_env=True)
