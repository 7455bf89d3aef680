"""Harden the CDK bootstrap template's ``ContainerAssetsRepository``, editing only its lines (plain Python).

The template is edited as text, line by line inside the resource's block (and the ``BootstrapVariant``
default), so that every other byte, comments included, stays as the CDK CLI wrote it: a diff against the
CLI's template shows only these changes. The result is then parsed and checked: everything outside the
resource and the variant must be equal to the input, and the resource must carry what was asked for.

What changes (``aws-cdk`` 2.1148.1, bootstrap version 33: the resource has ``ImageTagMutability: IMMUTABLE``,
one untagged-after-365-days rule, no scanning, no encryption configuration and no deletion policy):

- ``ImageScanningConfiguration: ScanOnPush: true``, unless registry scanning covers it (``scan="registry"``);
- the lifecycle policy of :func:`ecr_patterns.tools.bootstrap.policy.bootstrap_lifecycle_policy`;
- ``DeletionPolicy`` and ``UpdateReplacePolicy: Retain``: a stack delete keeps the images;
- ``EncryptionConfiguration`` KMS, only for a new bootstrap: ``EncryptionConfiguration`` is a create-only
  property of ``AWS::ECR::Repository`` (CloudFormation's resource schema), so changing it replaces the
  repository, and a non-empty repository without ``EmptyOnDelete`` then fails to delete;
- ``BootstrapVariant``'s default: "To prevent accidents, the CDK CLI will not overwrite bootstrap stacks with
  a different variant" (the template's own description of the parameter).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecr_patterns.core.compliance.model import SUPPRESSIONS_KEY
from ecr_patterns.core.errors import Code, Problems, ValidationError
from ecr_patterns.core.lifecycle.model import LifecyclePolicy
from ecr_patterns.core.presets import SECURE
from ecr_patterns.core.settings import RepositorySettings
from ecr_patterns.tools.bootstrap.policy import bootstrap_lifecycle_policy

RESOURCE = "ContainerAssetsRepository"
VARIANT = "ecr-patterns: hardened container assets on AWS CDK Default Resources"
KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$")


@dataclass(frozen=True)
class HardenedTemplate:
    text: str
    changes: list[str] = field(default_factory=list)
    policy: LifecyclePolicy = field(default_factory=LifecyclePolicy)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _significant(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_end(lines: list[str], start: int, indent: int) -> int:
    """The index after the block that starts at ``start`` (a key at ``indent``): the next significant line
    at ``indent`` or less."""
    end = start + 1
    while end < len(lines) and not (_significant(lines[end]) and _indent(lines[end]) <= indent):
        end += 1
    # trailing blank or comment lines belong to what follows
    while end - 1 > start and not _significant(lines[end - 1]):
        end -= 1
    return end


def _find_key(lines: list[str], start: int, end: int, key: str, indent: int | None = None) -> int | None:
    pattern = re.compile(rf"^(\s*){re.escape(key)}:(\s|$)")
    for i in range(start, end):
        found = pattern.match(lines[i])
        if found and (indent is None or len(found.group(1)) == indent):
            return i
    return None


class _CfnLoader:
    """A YAML loader that keeps CloudFormation's short-form tags (``!Ref x``) as ``{"!Ref": x}``."""

    @staticmethod
    def load(text: str) -> Any:
        import yaml

        class Loader(yaml.SafeLoader):
            pass

        def tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            elif isinstance(node, yaml.MappingNode):
                value = loader.construct_mapping(node, deep=True)
            else:  # pragma: no cover - YAML has no other node kinds
                raise TypeError(type(node).__name__)
            return {f"!{suffix}": value}

        Loader.add_multi_constructor("!", tagged)
        return yaml.load(text, Loader=Loader)  # a SafeLoader subclass: no arbitrary objects


def parse_template(text: str) -> dict[str, Any]:
    """A CloudFormation template (YAML or JSON) as data; short-form tags are kept as ``{"!Tag": value}``."""
    try:
        data = _CfnLoader.load(text)
    except Exception as err:  # yaml.YAMLError and its kin: the input is not YAML
        raise ValidationError.single(
            "template", text[:60], f"is not a YAML or JSON template ({err})", code=Code.BOOTSTRAP_TEMPLATE
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise ValidationError.single(
            "template", text[:60], "is not a CloudFormation template (no Resources)", code=Code.BOOTSTRAP_TEMPLATE
        )
    return data


def harden_bootstrap_template(
    text: str,
    *,
    scan: str = "repository",
    kms: bool = False,
    kms_key_arn: str | None = None,
    existing: bool = False,
    untagged_days: int | None = None,
    archive_isolated_after_days: int | None = None,
    expire_archived_after_days: int | None = None,
) -> HardenedTemplate:
    """The CDK bootstrap template ``text`` with its container-assets repository hardened.

    :param scan: default ``"repository"``: scan on push set on the repository; ``"registry"`` when registry
        scanning covers it (the template then records why it does not scan itself).
    :param kms: default ``False``; ``True`` encrypts with the AWS managed key ``aws/ecr`` (new bootstraps only).
    :param kms_key_arn: default ``None``; a customer managed key's ARN (new bootstraps only).
    :param existing: default ``False``; ``True`` says the template replaces a deployed bootstrap stack: an
        encryption change is then refused, since it would replace the repository.
    :param untagged_days: default 365; see :func:`ecr_patterns.tools.bootstrap.policy.bootstrap_lifecycle_policy`.
    :param archive_isolated_after_days: default 30.
    :param expire_archived_after_days: default 90.
    :raises ValidationError: every problem at once: no such resource, an encryption change on an existing
        bootstrap, a bad key ARN or scan mode, days out of range.
    """
    encrypt = kms or kms_key_arn is not None
    days = {
        "untagged_days": untagged_days,
        "archive_isolated_after_days": archive_isolated_after_days,
        "expire_archived_after_days": expire_archived_after_days,
    }
    policy, original = _checked(text, scan=scan, kms_key_arn=kms_key_arn, encrypt=encrypt, existing=existing, days=days)
    asked = _Asked(encrypt, kms_key_arn, scan, policy)
    editor = _Editor(text)
    for key, edit in _PROPERTY_EDITS:
        made = edit(asked)
        if made is not None:
            editor.replace_property(key, *made)
    for key, edit in _ATTRIBUTE_EDITS:
        made = edit(asked)
        if made is not None:
            editor.set_attribute(key, *made)
    editor.set_variant_default()
    hardened = "".join(editor.lines)
    _check(original, parse_template(hardened), encrypt=encrypt, scan=scan)
    return HardenedTemplate(hardened, editor.changes, policy)


def _checked(
    text: str,
    *,
    scan: str,
    kms_key_arn: str | None,
    encrypt: bool,
    existing: bool,
    days: Mapping[str, int | None],
) -> tuple[LifecyclePolicy, dict[str, Any]]:
    """The lifecycle policy asked for and the parsed template, once every argument and the template's resource
    are checked: every problem is raised at once."""
    problems = Problems()
    if scan not in ("repository", "registry"):
        problems.add("scan", scan, "use 'repository' or 'registry'", code=Code.BOOTSTRAP_TEMPLATE)
    if kms_key_arn is not None and not KMS_KEY_ARN.match(kms_key_arn):
        problems.add(
            "kms_key_arn",
            kms_key_arn,
            "a KMS key or alias ARN such as arn:aws:kms:us-east-1:111111111111:key/1234abcd-...",
            code=Code.BOOTSTRAP_TEMPLATE,
        )
    if encrypt and existing:
        problems.add(
            "kms",
            kms_key_arn or "aws/ecr",
            "EncryptionConfiguration is create-only: on a deployed bootstrap it replaces the repository (and a "
            "repository with images then fails to delete). Bootstrap a new qualifier, or pass a new "
            "ContainerAssetsRepositoryName, without --existing",
            code=Code.BOOTSTRAP_ENCRYPTION,
        )
    policy: LifecyclePolicy | None = None
    try:
        policy = bootstrap_lifecycle_policy(**{k: v for k, v in days.items() if v is not None})
    except ValidationError as err:
        problems.extend(err)
    original = parse_template(text)
    resource = (original.get("Resources") or {}).get(RESOURCE)
    if not isinstance(resource, Mapping) or resource.get("Type") != "AWS::ECR::Repository":
        problems.add(
            "template",
            RESOURCE,
            f"has no {RESOURCE} of type AWS::ECR::Repository: give the CDK CLI's bootstrap template "
            "(cdk bootstrap --show-template)",
            code=Code.BOOTSTRAP_TEMPLATE,
        )
    problems.raise_if_any(context="bootstrap template")
    if policy is None:  # pragma: no cover - raise_if_any raised
        raise RuntimeError("no policy")
    return policy, original


@dataclass(frozen=True)
class _Asked:
    """What the caller asked for, checked."""

    encrypt: bool
    kms_key_arn: str | None
    scan: str
    policy: LifecyclePolicy


_Block = list[tuple[int, str]]
"""The lines of one edit as (depth, text): depth 0 is the key's own indent, each further depth one more step of the
template's indentation."""
_Edit = Callable[[_Asked], tuple[_Block, str] | None]
"""An edit's lines and the change it reports, or ``None`` when nothing was asked of it."""


def _encryption(asked: _Asked) -> tuple[_Block, str] | None:
    if not asked.encrypt:
        return None
    block = [(0, "EncryptionConfiguration:"), (1, "EncryptionType: KMS")]
    if asked.kms_key_arn:
        block.append((1, f"KmsKey: {asked.kms_key_arn}"))
    key = asked.kms_key_arn or "the AWS managed key aws/ecr"
    return block, f"EncryptionConfiguration: KMS with {key} (a new bootstrap only)"


def _scanning(asked: _Asked) -> tuple[_Block, str] | None:
    if asked.scan != "repository":
        return None
    block = [(0, "ImageScanningConfiguration:"), (1, "ScanOnPush: true")]
    return block, "ImageScanningConfiguration: scan on push (Security Hub ECR.1)"


def _lifecycle(asked: _Asked) -> tuple[_Block, str] | None:
    policy = asked.policy
    block = [
        (0, "LifecyclePolicy:"),
        (1, "LifecyclePolicyText: |"),
        *((2, line) for line in json.dumps(policy.to_json(), indent=2).splitlines()),
    ]
    return block, (
        "LifecyclePolicy: untagged images after "
        f"{policy.rules[0].selection.count_number} days, images cdk gc marked isolated to archive after "
        f"{policy.rules[1].selection.count_number} days, archived ones expired "
        f"{policy.rules[2].selection.count_number} days later"
    )


def _suppressions(asked: _Asked) -> tuple[_Block, str] | None:
    suppressions = []
    if not asked.encrypt:
        suppressions.append(
            (
                "EcrPatterns-Encryption",
                "ECR's default AES256: EncryptionConfiguration is create-only, so an existing bootstrap keeps it",
            )
        )
    if asked.scan == "registry":
        suppressions.append(("EcrPatterns-ScanOnPush", "registry scanning covers the container-assets repository"))
    if not suppressions:
        return None
    block = [(0, "Metadata:"), (1, f"{SUPPRESSIONS_KEY}:")]
    for rule_id, reason in suppressions:
        block += [(1, f"- id: {rule_id}"), (1, f"  reason: {json.dumps(reason)}")]
    return block, "Metadata: why " + " and ".join(r for r, _ in suppressions) + " stand aside"


def _retain(key: str) -> _Edit:
    def edit(asked: _Asked) -> tuple[_Block, str] | None:
        return [(0, f"{key}: Retain")], f"{key}: Retain"

    return edit


_PROPERTY_EDITS: tuple[tuple[str, _Edit], ...] = (
    ("EncryptionConfiguration", _encryption),
    ("ImageScanningConfiguration", _scanning),
    ("LifecyclePolicy", _lifecycle),
)
"""The resource's properties, in the order they are edited."""

# Each attribute goes right after Type: written last first, they read DeletionPolicy, UpdateReplacePolicy,
# Metadata.
_ATTRIBUTE_EDITS: tuple[tuple[str, _Edit], ...] = (
    ("Metadata", _suppressions),
    ("UpdateReplacePolicy", _retain("UpdateReplacePolicy")),
    ("DeletionPolicy", _retain("DeletionPolicy")),
)


class _Editor:
    """The template's lines, edited in place, and where the resource's block and its ``Properties`` are in them
    (kept up to date as edits add or remove lines)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.newline = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"
        self.changes: list[str] = []
        lines = self.lines
        start = _find_key(lines, 0, len(lines), RESOURCE)
        if start is None:
            raise ValidationError.single(
                "template", RESOURCE, "is not a key of the template", code=Code.BOOTSTRAP_TEMPLATE
            )
        self.start = start
        self.end = _block_end(lines, start, _indent(lines[start]))
        body = [i for i in range(start + 1, self.end) if _significant(lines[i])]
        self.attr = _indent(lines[body[0]])
        props_at = _find_key(lines, start + 1, self.end, "Properties", self.attr)
        if props_at is None:
            raise ValidationError.single(
                "template", RESOURCE, "has no Properties to edit", code=Code.BOOTSTRAP_TEMPLATE
            )
        self.props_at = props_at
        self.props_end = _block_end(lines, props_at, self.attr)
        prop_lines = [i for i in range(props_at + 1, self.props_end) if _significant(lines[i])]
        self.prop = _indent(lines[prop_lines[0]]) if prop_lines else self.attr + 2
        self.step = self.prop - self.attr

    def render(self, block: _Block, indent: int) -> list[str]:
        return [f"{' ' * (indent + depth * self.step)}{text}{self.newline}" for depth, text in block]

    def replace_property(self, key: str, block: _Block, why: str) -> None:
        """Put ``block`` (one property) in place of ``key``, or in alphabetical order among the properties when
        absent."""
        lines, props_begin, rendered = self.lines, self.props_at + 1, self.render(block, self.prop)
        at = _find_key(lines, props_begin, self.props_end, key, self.prop)
        if at is not None:
            stop = _block_end(lines, at, self.prop)
            lines[at:stop] = rendered
            delta = len(rendered) - (stop - at)
        else:
            keys = [
                (i, lines[i].strip().split(":")[0])
                for i in range(props_begin, self.props_end)
                if _significant(lines[i]) and _indent(lines[i]) == self.prop
            ]
            after = [i for i, k in keys if k > key]
            at = after[0] if after else self.props_end
            # a comment right above the next property belongs to it
            while at > props_begin and lines[at - 1].strip().startswith("#") and _indent(lines[at - 1]) == self.prop:
                at -= 1
            lines[at:at] = rendered
            delta = len(rendered)
        self.props_end += delta
        self.end += delta
        self.changes.append(why)

    def set_attribute(self, key: str, block: _Block, why: str) -> None:
        """Put ``block`` (one resource attribute) in place of ``key``, or right after ``Type`` when absent."""
        lines, rendered = self.lines, self.render(block, self.attr)
        at = _find_key(lines, self.start + 1, self.end, key, self.attr)
        if at is not None:
            stop = _block_end(lines, at, self.attr)
            lines[at:stop] = rendered
            self.end += len(rendered) - (stop - at)
        else:
            type_at = _find_key(lines, self.start + 1, self.end, "Type", self.attr)
            insert = (type_at + 1) if type_at is not None else self.start + 1
            lines[insert:insert] = rendered
            self.end += len(rendered)
        self.changes.append(why)

    def set_variant_default(self) -> None:
        """``BootstrapVariant``'s default, when the template has that parameter and default."""
        lines = self.lines
        variant_at = _find_key(lines, 0, len(lines), "BootstrapVariant")
        if variant_at is None:
            return
        variant_end = _block_end(lines, variant_at, _indent(lines[variant_at]))
        default_at = _find_key(lines, variant_at + 1, variant_end, "Default")
        if default_at is not None:
            lines[default_at] = f"{' ' * _indent(lines[default_at])}Default: {json.dumps(VARIANT)}{self.newline}"
            self.changes.append(f"BootstrapVariant: {VARIANT!r}")


def _check(original: Mapping[str, Any], hardened: Mapping[str, Any], *, encrypt: bool, scan: str) -> None:
    """Everything but the resource and the variant's default is as it was; the resource is as asked."""

    def without_edits(template: Mapping[str, Any]) -> dict[str, Any]:
        copy = json.loads(json.dumps(template, default=str))
        copy["Resources"].pop(RESOURCE, None)
        copy.get("Parameters", {}).get("BootstrapVariant", {}).pop("Default", None)
        return dict(copy)

    if without_edits(original) != without_edits(hardened):
        raise AssertionError("the edit changed the template outside ContainerAssetsRepository")
    resource = hardened["Resources"][RESOURCE]
    props = resource["Properties"]
    before = original["Resources"][RESOURCE].get("Properties") or {}
    edited = ("LifecyclePolicy", "ImageScanningConfiguration", "EncryptionConfiguration")
    for key, value in before.items():
        if key not in edited and props.get(key) != value:
            raise AssertionError(f"the edit changed {RESOURCE}.{key}")
    # Judged as every rule judges a repository: on the model of its effective settings.
    settings = RepositorySettings.from_template(resource)
    if not settings.retained:
        raise AssertionError("the deletion policies were not written")
    if scan == "repository" and not settings.scan_on_push:
        raise AssertionError("scan on push was not written")
    if encrypt and settings.encryption_type != SECURE.settings.encryption_type:
        raise AssertionError("the encryption configuration was not written")
    json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])
