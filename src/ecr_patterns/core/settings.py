"""One model of a repository's effective settings (plain Python, no ``aws_cdk``).

Every reader fills the same value and applies ECR's defaults there, so an absent setting and the value ECR
applies in its place arrive as the same thing (ECR API reference, ``CreateRepository``: ``imageTagMutability``
defaults to ``MUTABLE``, ``scanOnPush`` to false, ``encryptionConfiguration`` to ``AES256``; CloudFormation's
``DeletionPolicy`` and ``UpdateReplacePolicy`` default to ``Delete``, "DeletionPolicy attribute"). The
compliance rules judge this value only, so a template and a live repository get the same verdict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Source = Literal["template", "live", "catalog", "creation-template"]
PRODUCTION_KEY = "ecr-patterns:production"
"""Template metadata key that marks a repository as production (``ProdRepository`` writes it)."""
PRODUCTION_TAG_KEYS = frozenset({"environment", "env", "stage"})
PRODUCTION_TAG_VALUES = frozenset({"prod", "production"})
AWS_MANAGED_KEY_ALIAS = "alias/aws/ecr"
RETAINED = frozenset({"Retain", "RetainExceptOnCreate"})
"""Deletion policies that keep the repository when the stack deletes it (``Snapshot`` does not apply to ECR)."""
RETAINED_ON_REPLACE = frozenset({"Retain"})
"""Update-replace policies that keep the old repository on a replacement: CloudFormation's ``UpdateReplacePolicy``
takes ``Delete``, ``Retain`` or ``Snapshot`` ("UpdateReplacePolicy attribute"); ``RetainExceptOnCreate`` is a
``DeletionPolicy`` value only."""


def survives_stack(deletion_policy: object, update_replace_policy: object) -> bool:
    """Whether a resource (a repository, its key) outlives a stack delete and a replacement: absent policies are
    ``Delete`` (CloudFormation User Guide, "DeletionPolicy attribute", "UpdateReplacePolicy attribute")."""
    return deletion_policy in RETAINED and update_replace_policy in RETAINED_ON_REPLACE


@dataclass(frozen=True)
class DeployTime:
    """A value a template builds at deploy time (``Fn::GetAtt``, ``Ref``, ``Fn::ImportValue``...): the
    template cannot say what it will be."""

    raw: Any

    def __str__(self) -> str:
        return json.dumps(self.raw, sort_keys=True, default=str)


@dataclass(frozen=True)
class RepositorySettings:
    """What ECR applies to one repository (or, for a creation template, to the repositories it creates).

    Every field holds the effective value: ECR's or CloudFormation's default where the source leaves a
    setting out. ``None`` means "not known from this source" only where the field says so.
    """

    source: Source
    name: str | DeployTime | None = None
    """``None`` where CloudFormation generates the name (or a creation template, which has none)."""
    scan_on_push: bool = False
    tag_mutability: str = "MUTABLE"
    mutability_exclusions: tuple[str, ...] = ()
    encryption_type: str = "AES256"
    kms_key: str | DeployTime | None = None
    """With ``KMS``/``KMS_DSSE``: ``None`` is the AWS managed key ``aws/ecr``."""
    kms_key_manager: str | None = None
    """``AWS`` or ``CUSTOMER`` as ``kms:DescribeKey`` reports it (live only); ``None`` where not known."""
    lifecycle_policy: str | DeployTime | None = None
    """The policy text; ``None``: no lifecycle policy."""
    repository_policy: Mapping[str, Any] | DeployTime | None = None
    """The parsed policy document; ``None``: no repository policy."""
    deletion_policy: str | None = "Delete"
    """``None`` for a live repository: deletion and update-replace policies exist only in a template."""
    update_replace_policy: str | None = "Delete"
    empty_on_delete: bool = False
    auto_delete_images: bool = False
    """aws-cdk-lib's Lambda-backed ``Custom::ECRAutoDeleteImages`` resource empties it on delete."""
    tags: Mapping[str, str] = field(default_factory=dict)
    production_mark: bool = False
    """Marked production by ``ProdRepository`` (template metadata)."""

    @property
    def uses_aws_managed_key(self) -> bool:
        """KMS encryption with ECR's AWS managed key ``aws/ecr`` (Security Hub ECR.5 fails it)."""
        if self.encryption_type not in ("KMS", "KMS_DSSE"):
            return False
        if self.kms_key_manager is not None:
            return self.kms_key_manager == "AWS"
        key = self.kms_key
        return key is None or (
            isinstance(key, str) and (key == AWS_MANAGED_KEY_ALIAS or key.endswith(":" + AWS_MANAGED_KEY_ALIAS))
        )

    @property
    def is_production(self) -> bool:
        """Marked by ``ProdRepository``, or tagged ``environment``/``env``/``stage`` = ``prod``/``production``."""
        if self.production_mark:
            return True
        return any(
            k.lower() in PRODUCTION_TAG_KEYS and str(v).lower() in PRODUCTION_TAG_VALUES for k, v in self.tags.items()
        )

    @property
    def retained(self) -> bool | None:
        """Whether a stack delete and a replacement keep the repository and its images (``None``: not known)."""
        if self.deletion_policy is None:
            return None
        return (
            survives_stack(self.deletion_policy, self.update_replace_policy)
            and not self.empty_on_delete
            and not self.auto_delete_images
        )

    # -- readers ---------------------------------------------------------------------------------------

    @classmethod
    def from_template(cls, resource: Mapping[str, Any], *, auto_delete_images: bool = False) -> RepositorySettings:
        """An ``AWS::ECR::Repository`` of a synthesized template (CloudFormation's property names)."""
        props = _mapping(resource.get("Properties"))
        encryption = _mapping(props.get("EncryptionConfiguration"))
        lifecycle = _mapping(props.get("LifecyclePolicy"))
        metadata = _mapping(resource.get("Metadata"))
        return cls(
            source="template",
            name=_value(props.get("RepositoryName")),
            scan_on_push=_flag(_mapping(props.get("ImageScanningConfiguration")).get("ScanOnPush"), unknown=False),
            tag_mutability=_text(props.get("ImageTagMutability"), "MUTABLE"),
            mutability_exclusions=tuple(
                str(f.get("ImageTagMutabilityExclusionFilterValue"))
                for f in _list(props.get("ImageTagMutabilityExclusionFilters"))
                if isinstance(f, Mapping)
            ),
            encryption_type=_text(encryption.get("EncryptionType"), "AES256"),
            kms_key=_value(encryption.get("KmsKey")),
            lifecycle_policy=_value(lifecycle.get("LifecyclePolicyText")),
            repository_policy=document(props.get("RepositoryPolicyText")),
            deletion_policy=_text(resource.get("DeletionPolicy"), "Delete"),
            update_replace_policy=_text(resource.get("UpdateReplacePolicy"), "Delete"),
            # A value only known at deploy time may empty the repository: judged as if it does.
            empty_on_delete=_flag(props.get("EmptyOnDelete"), unknown=True),
            auto_delete_images=auto_delete_images,
            tags=_tags(props.get("Tags")),
            production_mark=metadata.get(PRODUCTION_KEY) is True,
        )

    @classmethod
    def from_creation_template(cls, properties: Mapping[str, Any], *, api: bool) -> RepositorySettings:
        """What a repository creation template gives the repositories ECR creates with it: a template's
        ``AWS::ECR::RepositoryCreationTemplate`` properties (``api=False``) or a
        ``DescribeRepositoryCreationTemplates`` entry (``api=True``). It sets no scanning (registry scanning
        decides) and no name."""
        k = _API_TEMPLATE_KEYS if api else _CFN_TEMPLATE_KEYS
        encryption = _mapping(properties.get(k["encryption"]))
        return cls(
            source="creation-template",
            tag_mutability=_text(properties.get(k["mutability"]), "MUTABLE"),
            mutability_exclusions=tuple(
                str(f.get(k["filter"])) for f in _list(properties.get(k["filters"])) if isinstance(f, Mapping)
            ),
            encryption_type=_text(encryption.get(k["type"]), "AES256"),
            kms_key=_value(encryption.get(k["key"])),
            lifecycle_policy=_value(properties.get(k["lifecycle"])) or None,
            repository_policy=document(properties.get(k["policy"]) or None),
            deletion_policy=None,
            update_replace_policy=None,
            tags=_tags(properties.get(k["tags"])),
        )

    @classmethod
    def from_live(
        cls,
        description: Mapping[str, Any],
        *,
        lifecycle_policy: str | None,
        repository_policy: str | None,
        tags: Sequence[Mapping[str, Any]] | None,
        kms_key_manager: str | None = None,
    ) -> RepositorySettings:
        """A ``DescribeRepositories`` entry with its lifecycle policy, repository policy and tags as ECR
        answers them (``GetLifecyclePolicy``, ``GetRepositoryPolicy``, ``ListTagsForResource``)."""
        encryption = _mapping(description.get("encryptionConfiguration"))
        return cls(
            source="live",
            name=_value(description.get("repositoryName")),
            scan_on_push=_mapping(description.get("imageScanningConfiguration")).get("scanOnPush") is True,
            tag_mutability=_text(description.get("imageTagMutability"), "MUTABLE"),
            mutability_exclusions=tuple(
                str(f.get("filter"))
                for f in _list(description.get("imageTagMutabilityExclusionFilters"))
                if isinstance(f, Mapping)
            ),
            encryption_type=_text(encryption.get("encryptionType"), "AES256"),
            kms_key=_value(encryption.get("kmsKey")),
            kms_key_manager=kms_key_manager,
            lifecycle_policy=lifecycle_policy,
            repository_policy=document(repository_policy),
            deletion_policy=None,
            update_replace_policy=None,
            tags=_tags(tags),
        )


_CFN_TEMPLATE_KEYS = {
    "encryption": "EncryptionConfiguration",
    "type": "EncryptionType",
    "key": "KmsKey",
    "mutability": "ImageTagMutability",
    "filters": "ImageTagMutabilityExclusionFilters",
    "filter": "ImageTagMutabilityExclusionFilterValue",
    "lifecycle": "LifecyclePolicy",
    "policy": "RepositoryPolicy",
    "tags": "ResourceTags",
}
_API_TEMPLATE_KEYS = {
    "encryption": "encryptionConfiguration",
    "type": "encryptionType",
    "key": "kmsKey",
    "mutability": "imageTagMutability",
    "filters": "imageTagMutabilityExclusionFilters",
    "filter": "filter",
    "lifecycle": "lifecyclePolicy",
    "policy": "repositoryPolicy",
    "tags": "resourceTags",
}


def _flag(value: Any, *, unknown: bool) -> bool:
    """A CloudFormation Boolean: ``true`` or the string ``"true"`` in any case (CloudFormation accepts both);
    ``unknown`` for an intrinsic function, whose value only the deploy knows."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() == "true"
    if isinstance(value, Mapping):
        return unknown
    return False


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any, default: str) -> str:
    return value if isinstance(value, str) and value else default


def _value(value: Any) -> Any:
    """A literal as it is; an intrinsic function (a mapping) as :class:`DeployTime`."""
    if isinstance(value, Mapping):
        return DeployTime(dict(value))
    return value


def document(value: Any) -> Mapping[str, Any] | DeployTime | None:
    """A policy document given as an object or as JSON text (CloudFormation accepts both)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return {"Statement": []}
        return parsed if isinstance(parsed, Mapping) else {"Statement": []}
    if isinstance(value, Mapping):
        if any(isinstance(k, str) and k.startswith("Fn::") for k in value):
            return DeployTime(dict(value))
        return value
    return DeployTime(value)


def _tags(value: Any) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` (CloudFormation and ECR's API alike) as ``{k: v}``."""
    return {
        tag["Key"]: str(tag.get("Value", ""))
        for tag in (value if isinstance(value, list) else [])
        if isinstance(tag, Mapping) and isinstance(tag.get("Key"), str)
    }
