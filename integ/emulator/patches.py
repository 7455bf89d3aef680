"""What moto 5.2.5 leaves out of ``AWS::ECR::Repository`` and of the CDK CLI's update path, completed.

The emulator (``python -m integ.emulator``) calls :func:`apply` in its own process before it
starts moto's server; nothing else applies them, so the test process keeps an unpatched moto
(``test_patches.py`` uses that to show each gap is real). Each patch wraps one
moto function, keeps moto's behaviour for everything it does not complete, and makes the
emulator answer as the ECR and CloudFormation documentation say AWS answers. Only what the
integration suite's constructs need is completed; what is left out (change-set updates, stack
outputs of change-set creates, creating pull-through cache rules and repository creation templates)
is listed in ``integ/README.md``. One patch completes ``AWS::KMS::Key`` (tags and the key policy's
shape). Their describe calls answer with empty lists: moto creates neither
(no API call, no CloudFormation type), so an emulated registry has none, and the audit can read that.

The patches are written against moto's source at exactly :data:`MOTO_VERSION`: :func:`apply`
refuses any other version, because a moto upgrade may fix, move or break what they wrap.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Mapping
from typing import Any

import moto
from moto.cloudformation import responses as cloudformation_responses
from moto.cloudformation.models import CloudFormationBackend, Stack
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.exceptions import ServiceException
from moto.ecr.models import ECRBackend, Repository, ecr_backends
from moto.kms.models import Key as KmsKey
from moto.kms.models import kms_backends

MOTO_VERSION = "5.2.5"

_applied = False


class EmulatorVersionError(RuntimeError):
    """The installed moto is not the version these patches were written against."""


def apply() -> None:
    """Apply every patch once (idempotent). Raises :class:`EmulatorVersionError` on another moto."""
    global _applied
    if moto.__version__ != MOTO_VERSION:
        raise EmulatorVersionError(
            f"moto=={moto.__version__} is installed but integ/emulator/patches.py completes moto=={MOTO_VERSION}; "
            f"install moto[server]=={MOTO_VERSION} (pyproject.toml pins it) or review every patch for the new version"
        )
    if _applied:
        return
    _patch_classmethod(Repository, "create_from_cloudformation_json", _create_repository)
    _patch_classmethod(Repository, "update_from_cloudformation_json", _update_repository)
    _patch_method(Repository, "delete", _delete_repository)
    _patch_method(ECRBackend, "put_image", _put_image)
    _patch_method(CloudFormationBackend, "_resolve_update_parameters", _resolve_update_parameters)
    _complete_lifecycle_vocabulary()
    _register_registry_models()
    _answer_empty_registry_lists()
    _patch_method(CloudFormationBackend, "execute_change_set", _execute_change_set)
    _patch_method(CloudFormationBackend, "delete_change_set", _delete_change_set)
    _patch_method(CloudFormationBackend, "describe_change_set", _describe_change_set)
    _patch_method(CloudFormationBackend, "describe_stack_resource", _describe_stack_resource)
    _patch_classmethod(KmsKey, "create_from_cloudformation_json", _create_kms_key)
    _patch_method(Repository, "_determine_encryption_config", _aws_managed_key)
    _patch_method(CloudFormationResponse, "create_change_set", _create_change_set_response)
    summary = _template_summary(cloudformation_responses.get_template_summary_response_from_template)
    cloudformation_responses.get_template_summary_response_from_template = summary  # type: ignore[assignment]
    _applied = True


def _patch_classmethod(cls: type, name: str, wrapper: Callable[..., Any]) -> None:
    original = cls.__dict__[name].__func__

    def patched(klass: type, *args: Any, **kwargs: Any) -> Any:
        return wrapper(original, klass, *args, **kwargs)

    patched.__doc__ = wrapper.__doc__
    patched.__name__ = name
    setattr(cls, name, classmethod(patched))


def _patch_method(cls: type, name: str, wrapper: Callable[..., Any]) -> None:
    original = cls.__dict__[name]

    def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
        return wrapper(original, self, *args, **kwargs)

    patched.__doc__ = wrapper.__doc__
    patched.__name__ = name
    setattr(cls, name, patched)


# -- AWS::KMS::Key --------------------------------------------------------------------------------


def _create_kms_key(
    original: Callable[..., Any],
    cls: type,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    """Completes ``moto.kms.models.Key.create_from_cloudformation_json``.

    moto hands CloudFormation's ``Tags`` (``{Key, Value}``) to a tagger that reads the API's ``TagKey``/``TagValue``
    (``KeyError: 'TagKey'``: every tagged key fails to create), and keeps ``KeyPolicy`` as the template's object,
    so GetKeyPolicy answers an object where the API answers a JSON string. Both are converted first.
    """
    properties = dict(cloudformation_json.get("Properties") or {})
    if isinstance(properties.get("KeyPolicy"), Mapping):
        properties["KeyPolicy"] = json.dumps(properties["KeyPolicy"])
    properties["Tags"] = [{"TagKey": t["Key"], "TagValue": t["Value"]} for t in properties.get("Tags") or []]
    converted = {**cloudformation_json, "Properties": properties}
    return original(cls, resource_name, converted, account_id, region_name, **kwargs)


# -- AWS::ECR::Repository -------------------------------------------------------------------------


AWS_MANAGED_ECR_ALIAS = "alias/aws/ecr"


def _aws_managed_key(original: Callable[..., Any], self: Any, encryption_config: Any) -> dict[str, str]:
    """Completes ``moto.ecr.models.Repository._determine_encryption_config``: ``KMS`` without a key names a random
    key ARN that moto's KMS does not know, while ECR uses the account's AWS managed key ``aws/ecr``, whose
    ``kms:DescribeKey`` answers ``KeyManager: AWS`` (ECR User Guide, "Encryption at rest": "the default AWS managed
    key, which is managed by Amazon ECR"). This creates that key once per account and region, with its alias, and
    names its ARN, so the audit can tell it from a customer managed key as it does against ECR."""
    if encryption_config != {"encryptionType": "KMS"}:
        return dict(original(self, encryption_config))
    kms = kms_backends[self.account_id][self.region_name]
    key_id = kms.get_key_id_from_alias(AWS_MANAGED_ECR_ALIAS)
    if key_id is None:
        key = kms.create_key(None, "ENCRYPT_DECRYPT", "SYMMETRIC_DEFAULT", "Default key for ECR", None)
        key.key_manager = "AWS"
        kms.create_alias(key.id, AWS_MANAGED_ECR_ALIAS)
        key_id = key.id
    return {"encryptionType": "KMS", "kmsKey": str(kms.keys[key_id].arn)}


def _bool(value: object) -> bool:
    # CloudFormation accepts booleans and their string forms alike.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _api_scanning(cfn: Mapping[str, Any] | None) -> dict[str, bool] | None:
    """CloudFormation's ``{ScanOnPush}`` as the ECR API's ``{scanOnPush}``."""
    if cfn is None:
        return None
    return {"scanOnPush": _bool(cfn.get("ScanOnPush", False))}


CREATE_ONLY_PROPERTIES = ("RepositoryName", "EncryptionConfiguration")
"""The ``createOnlyProperties`` of ``AWS::ECR::Repository`` in CloudFormation's resource schema (with
``EncryptionConfiguration``'s own ``EncryptionType`` and ``KmsKey``): changing one replaces the repository.
``test_emulator.py`` holds this equal to the schema that cfn-lint ships."""


class CloudFormationValidationError(ServiceException):
    """CloudFormation's answer to a template or an update it refuses."""

    code = "ValidationError"


def _api_encryption(cfn: Mapping[str, Any] | None) -> dict[str, str] | None:
    """CloudFormation's ``{EncryptionType, KmsKey}`` as the ECR API's ``{encryptionType, kmsKey}``.

    ``EncryptionType`` is required by the resource schema: a configuration without it is refused, never
    given a default (ECR's own default, AES256, applies only when the whole property is absent)."""
    if not cfn:
        return None
    if not cfn.get("EncryptionType"):
        raise CloudFormationValidationError(
            "Properties validation failed for resource with message: "
            "#/EncryptionConfiguration: required key [EncryptionType] not found"
        )
    api = {"encryptionType": str(cfn["EncryptionType"])}
    if cfn.get("KmsKey"):
        api["kmsKey"] = str(cfn["KmsKey"])
    return api


def _create_only(properties: Mapping[str, Any]) -> dict[str, Any]:
    return {key: properties.get(key) for key in CREATE_ONLY_PROPERTIES}


def _api_json(cloudformation_json: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The resource's CloudFormation properties, and a copy of the resource whose scanning and
    encryption properties are in the shape moto's ``Repository`` model reads."""
    properties = dict(cloudformation_json.get("Properties") or {})
    api_properties = dict(properties)
    for key, convert in (
        ("ImageScanningConfiguration", _api_scanning),
        ("EncryptionConfiguration", _api_encryption),
    ):
        if key in api_properties:
            api_properties[key] = convert(api_properties[key])
    return properties, {**cloudformation_json, "Properties": api_properties}


def _backend(account_id: str, region_name: str) -> Any:
    return ecr_backends[account_id][region_name]


def _apply_policies(repository: Any, properties: Mapping[str, Any], account_id: str, region_name: str) -> None:
    """Put (or, when the property is gone, remove) the lifecycle policy and the repository policy,
    through the ECR API's own validation, and remember ``EmptyOnDelete``."""
    backend = _backend(account_id, region_name)
    lifecycle = properties.get("LifecyclePolicy") or {}
    text = lifecycle.get("LifecyclePolicyText")
    if text:
        backend.put_lifecycle_policy(
            registry_id=lifecycle.get("RegistryId"),
            repository_name=repository.name,
            lifecycle_policy_text=text if isinstance(text, str) else json.dumps(text),
        )
    else:
        repository.lifecycle_policy = None
    policy = properties.get("RepositoryPolicyText")
    if policy:
        backend.set_repository_policy(
            registry_id=None,
            repository_name=repository.name,
            policy_text=policy if isinstance(policy, str) else json.dumps(policy),
        )
    else:
        repository.policy = None
    repository.empty_on_delete = _bool(properties.get("EmptyOnDelete", False))


def _create_repository(
    original: Callable[..., Any],
    cls: type,
    resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> Any:
    """Completes ``moto.ecr.models.Repository.create_from_cloudformation_json``.

    moto passes ``ImageScanningConfiguration`` and ``EncryptionConfiguration`` on with their
    CloudFormation field names (``ScanOnPush``, ``EncryptionType``) to a model that reads the
    API's camelCase names, so DescribeRepositories answers ``{}`` for both; and it ignores
    ``LifecyclePolicy``, ``RepositoryPolicyText`` and ``EmptyOnDelete``. This converts the two
    configurations, then applies both policies through moto's own PutLifecyclePolicy and
    SetRepositoryPolicy (so they are validated as the API validates them) and records
    ``EmptyOnDelete`` for :func:`_delete_repository`. If a policy is rejected, the repository
    just created is deleted again, as CloudFormation rolls back a failed create.
    """
    properties, api_json = _api_json(cloudformation_json)
    if properties.get("RepositoryName") in _IMPORTING:
        # An IMPORT change set adopts the repository as it is: nothing is created or changed.
        repository = _backend(account_id, region_name).repositories[properties["RepositoryName"]]
        repository.cloudformation_create_only = _create_only(properties)
        return repository
    repository = original(cls, resource_name, api_json, account_id, region_name, **kwargs)
    # What the template said, for the next update to compare (CloudFormation compares templates, not API state).
    repository.cloudformation_create_only = _create_only(properties)
    try:
        _apply_policies(repository, properties, account_id, region_name)
    except Exception:
        _backend(account_id, region_name).delete_repository(repository.name, force=True)
        raise
    return repository


def _update_repository(
    original: Callable[..., Any],
    cls: type,
    original_resource: Any,
    new_resource_name: str,
    cloudformation_json: Any,
    account_id: str,
    region_name: str,
) -> Any:
    """Completes ``moto.ecr.models.Repository.update_from_cloudformation_json``.

    moto decides between an update in place and a replacement by comparing the template's encryption
    configuration with the stored one (which holds the KMS key ARN moto generated: every update of a KMS
    repository became a replacement), and on replacement deletes the old repository first, whatever its
    ``UpdateReplacePolicy``. CloudFormation replaces a repository exactly when a ``createOnlyProperties``
    value of its resource schema changes (:data:`CREATE_ONLY_PROPERTIES`: the name or the encryption
    configuration), and then:

    - refuses the update when the repository has a custom name that stays the same ("CloudFormation cannot
      update a stack when a custom-named resource requires replacing");
    - otherwise creates the new repository first and deletes the old one afterwards, unless its
      ``UpdateReplacePolicy`` is ``Retain``: then the old repository and its images are kept.

    An update in place resets scanning to ``scanOnPush: false`` when the property is removed (moto kept the
    old value) and applies, changes or removes the lifecycle policy, the repository policy and ``EmptyOnDelete``.
    """
    properties, api_json = _api_json(cloudformation_json)
    previous = getattr(original_resource, "cloudformation_create_only", None)
    if previous is not None and previous != _create_only(properties):
        custom_name = properties.get("RepositoryName")
        if custom_name is not None and new_resource_name == original_resource.name:
            changed = [k for k in CREATE_ONLY_PROPERTIES if previous.get(k) != properties.get(k)]
            raise CloudFormationValidationError(
                f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                f"Rename {custom_name} and update the stack again. (changed: {', '.join(changed)})"
            )
        replacement = Repository.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )
        if cloudformation_json.get("UpdateReplacePolicy", "Delete") != "Retain":
            original_resource.delete(account_id, region_name)
        return replacement
    api_properties = api_json["Properties"]
    # Unchanged in the template: hand moto the stored configuration so it updates in place.
    api_properties["EncryptionConfiguration"] = original_resource.encryption_configuration
    api_properties.setdefault("ImageScanningConfiguration", {"scanOnPush": False})
    repository = original(
        cls,
        original_resource=original_resource,
        new_resource_name=new_resource_name,
        cloudformation_json=api_json,
        account_id=account_id,
        region_name=region_name,
    )
    _apply_policies(repository, properties, account_id, region_name)
    return repository


def _delete_repository(original: Callable[..., Any], self: Any, account_id: str, region_name: str) -> None:
    """Completes ``moto.ecr.models.Repository.delete`` (a stack delete or replacement).

    moto deletes without ``force``, so a repository with images can never go, whatever the
    template says. With ``EmptyOnDelete: true`` CloudFormation deletes the images with it; that is
    what this does. Without it, moto's refusal (RepositoryNotEmptyException) is kept, as on AWS.
    """
    if getattr(self, "empty_on_delete", False):
        _backend(account_id, region_name).delete_repository(self.name, force=True)
        return
    original(self, account_id, region_name)


# -- ECR PutLifecyclePolicy ---------------------------------------------------------------------------


def _complete_lifecycle_vocabulary() -> None:
    """Completes ``moto.ecr.policy_validation``, whose JSON-schema check predates ECR's archive storage
    class: it refuses ``storageClass``, ``targetStorageClass``, the ``transition`` action and the
    ``sinceImagePulled`` / ``sinceImageTransitioned`` count types, all of which the ECR User Guide's
    lifecycle policy template lists ("Examples of lifecycle policies in Amazon ECR"). Only the
    vocabulary is added; moto's own checks (and their error messages) stay as they are.
    """
    from moto.ecr import policy_validation as schema

    schema.VALID_SELECTION_PROPERTIES.add("storageClass")
    schema.VALID_ACTION_PROPERTIES = {*schema.VALID_ACTION_PROPERTIES, "targetStorageClass"}
    schema.VALID_ACTION_TYPE_VALUES.add("transition")
    schema.VALID_SELECTION_COUNT_TYPE_VALUES.update({"sinceImagePulled", "sinceImageTransitioned"})


# -- ECR PutImage ---------------------------------------------------------------------------------


class ImageTagAlreadyExistsException(ServiceException):
    """ECR's error for moving an immutable tag (moto 5.2.5 has no such exception)."""

    code = "ImageTagAlreadyExistsException"

    def __init__(self, repository_name: str, image_tag: str) -> None:
        super().__init__(
            f"The image tag '{image_tag}' already exists in the '{repository_name}' repository "
            "and cannot be overwritten because the repository is immutable."
        )


def _tag_is_immutable(repository: Any, tag: str) -> bool:
    """Whether ECR refuses to move ``tag`` in this repository (exclusion filters are wildcards)."""
    mutability = repository.image_tag_mutability
    filters = repository.image_tag_mutability_exclusion_filters or []
    excluded = any(fnmatch.fnmatchcase(tag, f["filter"]) for f in filters)
    if mutability == "IMMUTABLE":
        return True
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        return not excluded
    if mutability == "MUTABLE_WITH_EXCLUSION":
        return excluded
    return False


def _put_image(
    original: Callable[..., Any],
    self: Any,
    repository_name: str,
    image_manifest: str,
    image_tag: str,
    image_manifest_mediatype: str | None = None,
    digest: str | None = None,
) -> Any:
    """Completes ``moto.ecr.models.ECRBackend.put_image`` for immutable tags.

    Pushing a different image under a tag that an immutable repository already holds fails on
    AWS with ``ImageTagAlreadyExistsException`` (ECR user guide, "Preventing image tags from
    being overwritten"); moto answers ``ImageAlreadyExistsException``, the error ECR keeps for
    re-pushing the same manifest under the same tag (which this leaves to moto).
    """
    repository = self.repositories.get(repository_name)
    if repository is not None and image_tag and _tag_is_immutable(repository, image_tag):
        for image in repository.images:
            if image_tag in image.image_tags and image.image_manifest != image_manifest:
                raise ImageTagAlreadyExistsException(repository_name, image_tag)
    return original(self, repository_name, image_manifest, image_tag, image_manifest_mediatype, digest)


# -- CloudFormation UpdateStack -------------------------------------------------------------------


def _resolve_update_parameters(
    original: Callable[..., Any], self: Any, instance: Any, incoming_params: list[dict[str, Any]]
) -> dict[str, str]:
    """Completes ``moto.cloudformation.models.CloudFormationBackend._resolve_update_parameters``.

    ``cdk deploy --method=direct`` updates a stack with ``UsePreviousValue: true`` for
    ``BootstrapVersion``, a parameter that took its template default on create. moto looks the
    previous value up among the parameters passed on create only and fails with
    ``KeyError: 'BootstrapVersion'``. CloudFormation's previous value of a defaulted parameter is
    that default (for an SSM-typed parameter, the parameter *name*, which moto then resolves
    again as it does on create); :func:`_previous_inputs` passes it explicitly.
    """
    if isinstance(instance, Stack):
        incoming_params = _previous_inputs(instance, incoming_params)
    result: dict[str, str] = original(self, instance, incoming_params)
    return result


# -- Registry-level resources ---------------------------------------------------------------------


def _api_shape(value: Any) -> Any:
    """CloudFormation's PascalCase keys as the ECR API's camelCase keys, recursively."""
    if isinstance(value, list):
        return [_api_shape(v) for v in value]
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _api_shape(v) for k, v in value.items()}
    return value


def _change_set(backend: Any, name: str) -> Any:
    if name in backend.change_sets:
        return backend.change_sets[name]
    return next((c for c in backend.change_sets.values() if c.change_set_name == name), None)


def _execute_change_set(
    original: Callable[..., Any], self: Any, change_set_name: str, *args: Any, **kwargs: Any
) -> Any:
    """A stack moto creates through a change set (``cdk bootstrap`` always uses one) is built from an empty
    template: after the change set runs, its parameters (defaults included) and outputs are those of no template,
    so DescribeStacks shows no outputs and every later update fails (``KeyError`` on a parameter's previous
    value), and its exports are never registered. After the execution, the stack's template, parameters, outputs
    and exports are read from what was applied, as CloudFormation has them (an SSM-typed parameter keeps its
    input, the parameter's name, as CloudFormation does: an update with ``UsePreviousValue`` looks it up again)."""
    change_set = _change_set(self, change_set_name)
    importing = getattr(change_set, "resources_to_import", {})
    _IMPORTING.update(i.get("RepositoryName") for i in importing.values())
    try:
        result = original(self, change_set_name, *args, **kwargs)
    finally:
        _IMPORTING.clear()
    if change_set is not None:
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        slots = stack.template_dict.get("Parameters") or {}
        inputs = change_set.parameters or {}
        # An SSM-typed parameter's input is the parameter's name (its value is looked up on every deploy).
        stack.parameters = {
            key: inputs.get(key, (slots.get(key) or {}).get("Default")) if _ssm_typed(slots.get(key)) else value
            for key, value in stack.resource_map.resolved_parameters.items()
        }
        for export in stack.exports:  # the exports of the outputs as they were (none, for a created stack)
            self.exports.pop(export.name, None)
        stack.output_map = stack._create_output_map()
        for export in stack.exports:  # as create_stack registers them (and delete_stack removes them)
            self.exports[export.name] = export
    return result


# -- resource import (cdk import) ---------------------------------------------------------------

_IMPORTING: set[str] = set()
"""Names of the repositories the executing IMPORT change set adopts."""
IDENTIFIERS = {"AWS::ECR::Repository": ["RepositoryName"]}
"""``primaryIdentifier`` of the resource types the suite imports (CloudFormation resource schema)."""


def _create_change_set_response(original: Callable[..., Any], self: Any) -> Any:
    """moto knows the change set types CREATE and UPDATE only: an IMPORT change set (``cdk import``) becomes a new,
    empty stack of the same name. An IMPORT of an existing stack is created here as an UPDATE and marked IMPORT with
    its ``ResourcesToImport``; executing it adopts those resources (:func:`_create_repository`) instead of creating
    them, and leaves the stack ``IMPORT_COMPLETE``, as CloudFormation does."""
    if self._get_param("ChangeSetType") != "IMPORT":
        return original(self)
    to_import = self._get_param("ResourcesToImport", [])
    read = self._get_param
    parameters = _previous_inputs(self.cloudformation_backend.get_stack(read("StackName")), read("Parameters", []))
    answers = {"ChangeSetType": "UPDATE", "Parameters": parameters}
    self._get_param = lambda name, if_none=None: answers[name] if name in answers else read(name, if_none)
    try:
        result = original(self)
    finally:
        del self._get_param
    change_set = _change_set(self.cloudformation_backend, read("ChangeSetName"))
    change_set.change_set_type = "IMPORT"
    change_set.resources_to_import = {r["LogicalResourceId"]: r["ResourceIdentifier"] for r in to_import}
    return result


def _ssm_typed(slot: Any) -> bool:
    return isinstance(slot, Mapping) and str(slot.get("Type", "")).startswith("AWS::SSM::Parameter::Value")


def _previous_inputs(stack: Any, parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``UsePreviousValue`` parameters as the explicit inputs CloudFormation would reuse: the value passed before,
    else the template's default (for an SSM-typed parameter, the parameter's *name*). Used by direct updates,
    where moto looks the previous value up among the inputs of the create only (``KeyError`` on a defaulted
    ``BootstrapVersion``), and by change sets, where moto reuses the *resolved* value and looks an SSM-typed
    one ("33") up again as a parameter name. A parameter with neither is left to moto."""
    previous = stack.parameters or {}
    slots = (stack.template_dict or {}).get("Parameters") or {}
    completed = []
    for parameter in parameters:
        key = parameter.get("ParameterKey")
        default = (slots.get(key) or {}).get("Default")
        if parameter.get("UsePreviousValue") and (key in previous or default is not None):
            completed.append({"ParameterKey": key, "ParameterValue": previous.get(key, default)})
        else:
            completed.append(parameter)
    return completed


def _template_summary(original: Callable[[str], dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    """GetTemplateSummary without ``ResourceIdentifierSummaries``: ``cdk import`` then finds no importable resource.
    Added for the types of :data:`IDENTIFIERS`."""

    def summary(template_body: str) -> dict[str, Any]:
        answer = original(template_body)
        try:
            resources = json.loads(template_body).get("Resources") or {}
        except json.JSONDecodeError:
            return answer
        by_type: dict[str, list[str]] = {}
        for logical_id, resource in resources.items():
            if resource.get("Type") in IDENTIFIERS:
                by_type.setdefault(resource["Type"], []).append(logical_id)
        answer["ResourceIdentifierSummaries"] = [
            {"ResourceType": kind, "LogicalResourceIds": ids, "ResourceIdentifiers": IDENTIFIERS[kind]}
            for kind, ids in by_type.items()
        ]
        return answer

    return summary


def _delete_change_set(original: Callable[..., Any], self: Any, change_set_name: str, *args: Any, **kwargs: Any) -> Any:
    """Deleting a change set that is not there: moto 5.2.5 fails with ``UnboundLocalError``. The CDK CLI deletes
    the name of the change set it is about to create before every change-set deploy and expects no error
    (``cleanupOldChangeset`` in the pinned CLI), so CloudFormation answers it without one."""
    if _change_set(self, change_set_name) is None:
        return None
    return original(self, change_set_name, *args, **kwargs)


def _describe_change_set(
    original: Callable[..., Any], self: Any, change_set_name: str, *args: Any, **kwargs: Any
) -> Any:
    """A change set that is not there: CloudFormation answers ``ChangeSetNotFoundException`` (API reference,
    DescribeChangeSet; the CDK CLI waits for exactly that exception), moto 5.2.5 a ``ValidationError``."""
    if _change_set(self, change_set_name) is None:
        raise _ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")
    return original(self, change_set_name, *args, **kwargs)


class _ChangeSetNotFound(ServiceException):
    # botocore's CloudFormation model: ChangeSetNotFoundException is the error code ChangeSetNotFound, HTTP 404.
    code = "ChangeSetNotFound"


def _describe_stack_resource(original: Callable[..., Any], self: Any, stack_name: str, logical_resource_id: str) -> Any:
    """Resources of a type moto cannot create are ``None`` in its resource map: moto 5.2.5 then fails on
    ``None.logical_resource_id`` for every lookup. They are skipped, as for resources that do not exist."""
    stack = self.get_stack(stack_name)
    for resource in stack.stack_resources:
        if resource is not None and getattr(resource, "logical_resource_id", None) == logical_resource_id:
            return stack, resource
    return original(self, stack_name, "\x00missing")  # moto's own "does not exist" answer


def _answer_empty_registry_lists() -> None:
    """DescribePullThroughCacheRules, DescribeRepositoryCreationTemplates and ListPullTimeUpdateExclusions, which
    moto 5.2.5 does not implement (its server answers 500, which SDKs retry). moto implements none of the calls
    that create them (CreatePullThroughCacheRule, CreateRepositoryCreationTemplate,
    RegisterPullTimeUpdateExclusion) nor their CloudFormation types, so no emulated registry has any: the lists
    are empty, as the ECR API reference shows them for a registry with none."""
    from moto.ecr.responses import ECRResponse

    def pull_through_cache_rules(self: Any) -> str:
        return json.dumps({"pullThroughCacheRules": []})

    def creation_templates(self: Any) -> str:
        return json.dumps({"registryId": self.current_account, "repositoryCreationTemplates": []})

    def pull_time_exclusions(self: Any) -> str:
        return json.dumps({"pullTimeUpdateExclusions": []})

    ECRResponse.list_pull_time_update_exclusions = pull_time_exclusions  # type: ignore[attr-defined]
    ECRResponse.describe_pull_through_cache_rules = pull_through_cache_rules  # type: ignore[attr-defined]
    ECRResponse.describe_repository_creation_templates = creation_templates  # type: ignore[attr-defined]


_registry_models: list[type] = []


def _register_registry_models() -> None:
    """Teach moto's CloudFormation ``AWS::ECR::ReplicationConfiguration``,
    ``AWS::ECR::RegistryScanningConfiguration`` and ``AWS::ECR::RegistryPolicy``.

    moto 5.2.5 implements their API calls (PutReplicationConfiguration,
    PutRegistryScanningConfiguration, PutRegistryPolicy) but not the resource types: its
    CloudFormation logs "No Moto CloudFormation support" and reports the stack complete with
    nothing applied. Each model here calls the API operation with the template's properties (so
    moto's own validation applies), and on delete puts back the registry's default (no
    replication rules, BASIC scanning with no rules, no registry policy), as CloudFormation does.
    The classes are defined here, not at import, because moto registers every subclass of
    ``CloudFormationModel`` it can see: importing this module must not change moto.
    """
    from moto.cloudformation import parsing
    from moto.core.common_models import CloudFormationModel

    class RegistrySetting:
        """One account-and-region-wide setting; its physical id is the registry (account) id.
        A mixin: moto lists only *direct* subclasses of ``CloudFormationModel`` as models."""

        def __init__(self, account_id: str, region_name: str, properties: Mapping[str, Any]) -> None:
            self.account_id = account_id
            self.region_name = region_name
            self.properties = dict(properties)

        @property
        def backend(self) -> Any:
            return _backend(self.account_id, self.region_name)

        @property
        def physical_resource_id(self) -> str:
            return self.account_id

        @staticmethod
        def cloudformation_name_type() -> str:
            return ""

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return attr == "RegistryId"

        def get_cfn_attribute(self, attribute_name: str) -> str:
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            if attribute_name == "RegistryId":
                return self.account_id
            raise UnformattedGetAttTemplateException()

        def put(self) -> None:
            raise NotImplementedError

        def reset(self) -> None:
            raise NotImplementedError

        @classmethod
        def create_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **kwargs: Any
        ) -> Any:
            setting = cls(account_id, region_name, cloudformation_json.get("Properties") or {})
            setting.put()
            return setting

        @classmethod
        def update_from_cloudformation_json(
            cls,
            original_resource: Any,
            new_resource_name: str,
            cloudformation_json: Any,
            account_id: str,
            region_name: str,
        ) -> Any:
            return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

        @classmethod
        def delete_from_cloudformation_json(
            cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
        ) -> None:
            cls(account_id, region_name, cloudformation_json.get("Properties") or {}).reset()

        def delete(self, account_id: str, region_name: str) -> None:
            self.reset()

        def is_created(self) -> bool:
            return True

    class ReplicationConfiguration(RegistrySetting, CloudFormationModel):
        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::ECR::ReplicationConfiguration"

        def put(self) -> None:
            self.backend.put_replication_configuration(_api_shape(self.properties["ReplicationConfiguration"]))

        def reset(self) -> None:
            self.backend.replication_config = {"rules": []}

    class RegistryScanningConfiguration(RegistrySetting, CloudFormationModel):
        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::ECR::RegistryScanningConfiguration"

        def put(self) -> None:
            self.backend.put_registry_scanning_configuration(
                scan_type=self.properties["ScanType"], rules=_api_shape(self.properties["Rules"])
            )

        def reset(self) -> None:
            self.backend.put_registry_scanning_configuration(scan_type="BASIC", rules=[])

    class RegistryPolicy(RegistrySetting, CloudFormationModel):
        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::ECR::RegistryPolicy"

        def put(self) -> None:
            text = self.properties["PolicyText"]
            self.backend.put_registry_policy(text if isinstance(text, str) else json.dumps(text))

        def reset(self) -> None:
            self.backend.registry_policy = None

    # moto finds models through __subclasses__(), which holds weak references: keep these alive.
    _registry_models.extend([ReplicationConfiguration, RegistryScanningConfiguration, RegistryPolicy])
    # moto caches its type -> model maps on first use.
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
