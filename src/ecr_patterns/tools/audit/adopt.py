"""Adopting an existing repository, with its images, under a pattern: what to import and what follows (plain Python).

CloudFormation resource import ("Import AWS resources into a CloudFormation stack") needs the resource's static
custom name in the template and a ``DeletionPolicy`` of Retain or RetainExceptOnCreate, changes nothing else in
the same operation, and recommends drift detection afterwards because the template should describe the resource
as it is. So adoption is two deploys:

1. ``cdk import``: the pattern with keywords that make its template equal to the live repository (this module
   reads them: scan on push, tag mutability and exclusions, encryption, the lifecycle policy, the repository
   policy and the tags);
2. ``cdk deploy``: the keywords removed but the create-only ones, so the pattern's defaults apply, in place.
   Every property but two is updatable; ``RepositoryName`` and ``EncryptionConfiguration`` are create-only in
   the resource schema, so a repository that is not KMS-encrypted stays as it is (a replacement of a named
   repository is refused, and would leave the images behind).

:func:`plan_adoption` also previews the pattern's default lifecycle policy on every image the repository has
today, with the offline engine: a default policy that keeps the last 1,000 images expires the rest within a day
of the second deploy. Read-only: ``DescribeRepositories``, ``DescribeImages``, ``GetLifecyclePolicy``,
``GetRepositoryPolicy``, ``ListTagsForResource``, ``BatchGetImage`` (image indexes only) and ``kms:DescribeKey``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecr_patterns.core.errors import EcrPatternsError
from ecr_patterns.core.lifecycle.model import LifecyclePolicy
from ecr_patterns.core.presets import PRESETS_BY_KEY, Preset

IMPORTS = (
    "from aws_cdk import Tags, aws_ecr as ecr, aws_iam as iam, aws_kms as kms\n"
    "from ecr_patterns import DevRepository, ProdRepository, SecureRepository\n"
    "from ecr_patterns.lifecycle import LifecyclePolicy\n"
)
"""The imports the generated code uses (it runs in a stack's ``__init__``, ``self`` being the stack)."""

CREATE_ONLY = ("RepositoryName", "EncryptionConfiguration")
"""``createOnlyProperties`` of ``AWS::ECR::Repository`` besides its name (the resource schema; the emulator's test
holds the same list equal to it)."""


PATTERNS: dict[str, Preset] = PRESETS_BY_KEY
"""The patterns adoption can target, by key; their defaults are the core's presets (``ecr_patterns.core.presets``),
the same values the CDK classes apply."""


class AdoptionError(EcrPatternsError):
    """The repository could not be read."""


@dataclass(frozen=True)
class LiveSettings:
    """A live repository's settings, as ECR answers them."""

    name: str
    arn: str
    scan_on_push: bool
    mutability: str
    exclusion_filters: tuple[str, ...]
    encryption_type: str
    kms_key: str | None
    key_manager: str | None
    """``AWS`` for ``aws/ecr``, ``CUSTOMER`` for a customer managed key, ``None`` when not KMS or unreadable."""
    lifecycle_text: str | None
    policy_text: str | None
    tags: dict[str, str]
    images: tuple[Mapping[str, Any], ...] = ()
    """Every image of every status, as describe-images answers (read by :func:`read_live`); default none."""
    index_children: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Per image index digest, the digests it references; default none."""


@dataclass(frozen=True)
class Change:
    """One property the follow-up deploy changes (or cannot)."""

    property: str
    live: object
    pattern: object
    in_place: bool
    note: str

    def to_json(self) -> dict[str, Any]:
        return {
            "property": self.property,
            "live": self.live,
            "pattern": self.pattern,
            "inPlace": self.in_place,
            "note": self.note,
        }


@dataclass(frozen=True)
class AdoptionPlan:
    """Everything both deploys need: the import step's code and mapping, and what the second deploy changes."""

    live: LiveSettings
    pattern: str
    logical_id: str | None
    import_code: str
    follow_up_code: str
    changes: list[Change]
    images: int
    expiring: int
    archiving: int
    expiring_bytes: int
    notes: list[str] = field(default_factory=list)

    @property
    def resource_mapping(self) -> dict[str, dict[str, str]] | None:
        """``cdk import --resource-mapping`` file content; ``None`` without the logical id."""
        if self.logical_id is None:
            return None
        return {self.logical_id: {"RepositoryName": self.live.name}}

    def to_json(self) -> dict[str, Any]:
        return {
            "repositoryName": self.live.name,
            "pattern": PATTERNS[self.pattern].class_name,
            "importCode": self.import_code,
            "followUpCode": self.follow_up_code,
            "resourceMapping": self.resource_mapping,
            "followUp": [c.to_json() for c in self.changes],
            "defaultPolicyEffect": {
                "images": self.images,
                "expiring": self.expiring,
                "archiving": self.archiving,
                "expiringBytes": self.expiring_bytes,
            },
            "notes": self.notes,
        }


def read_live(ecr: Any, name: str, *, kms: Any | None = None, registry_id: str | None = None) -> LiveSettings:
    """Read one repository's settings and images (read-only calls only), with the audit's reader.

    :param kms: a KMS client to tell ``aws/ecr`` from a customer managed key; default ``None`` (not told).
    :param registry_id: default ``None``: the caller's registry.
    :raises AdoptionError: naming everything that could not be read (the plan needs all of it).
    """
    from ecr_patterns.core.lifecycle.live import LiveRepositoryError
    from ecr_patterns.tools.audit.judge import live_settings
    from ecr_patterns.tools.audit.reader import read_named_repository

    try:
        repository = read_named_repository(ecr, name, kms=kms, registry_id=registry_id)
    except LiveRepositoryError as err:
        raise AdoptionError(str(err)) from None
    if repository.unreadable:
        missing = "; ".join(f"{u.what}: {u.error}" for u in repository.unreadable)
        raise AdoptionError(f"cannot read repository {name}: {missing}")
    # The one reading of a live repository into the model (the audit's); adoption keeps the texts as ECR sent them.
    settings = live_settings(repository)
    return LiveSettings(
        name=repository.name,
        arn=repository.arn,
        scan_on_push=settings.scan_on_push,
        mutability=settings.tag_mutability,
        exclusion_filters=settings.mutability_exclusions,
        encryption_type=settings.encryption_type,
        kms_key=None if settings.kms_key is None else str(settings.kms_key),
        key_manager=settings.kms_key_manager,
        lifecycle_text=repository.lifecycle_policy_text,
        policy_text=repository.repository_policy_text,
        tags=dict(settings.tags),
        images=tuple(repository.images or ()),
        index_children=dict(repository.index_children),
    )


def plan_adoption(
    live: LiveSettings,
    images: Sequence[Mapping[str, Any]],
    *,
    pattern: str = "secure",
    logical_id: str | None = None,
    construct_id: str = "Repository",
    index_children: Mapping[str, Sequence[str]] | None = None,
    now: datetime | str | None = None,
) -> AdoptionPlan:
    """The two deploys that put ``live`` under a pattern.

    :param images: every image of the repository (``list_repository_images``), for the default policy's effect.
    :param pattern: ``"secure"`` (default), ``"dev"`` or ``"prod"``.
    :param logical_id: the repository's logical id in the synthesized template (for the resource mapping);
        default ``None``.
    :param construct_id: the construct id the generated code uses; default ``"Repository"``.
    :param index_children: image index digests to the digests they reference; default ``None``.
    :param now: the preview's time; default ``None``: now.
    """
    target = _target(pattern)
    default_policy = LifecyclePolicy.from_rules(target.lifecycle_rules())
    changes = _follow_up_changes(live, target, default_policy)
    notes = _notes(live)
    expiring, archiving, expiring_bytes = _default_policy_effect(default_policy, images, now, index_children)
    return AdoptionPlan(
        live=live,
        pattern=pattern,
        logical_id=logical_id,
        import_code=import_code(live, target, construct_id),
        follow_up_code=follow_up_code(live, target, construct_id),
        changes=changes,
        images=len(images),
        expiring=expiring,
        archiving=archiving,
        expiring_bytes=expiring_bytes,
        notes=notes,
    )


def _target(pattern: str) -> Preset:
    """The preset for ``pattern``, refused before anything is computed so a typo names the valid keys."""
    if pattern not in PATTERNS:
        raise AdoptionError(f"pattern {pattern!r}: use one of {', '.join(PATTERNS)}")
    return PATTERNS[pattern]


def _follow_up_changes(live: LiveSettings, target: Preset, default_policy: LifecyclePolicy) -> list[Change]:
    """What the follow-up deploy changes, in template order, so the user sees each effect before deploying it;
    the encryption is listed as not changed because it is create-only."""
    changes: list[Change] = []
    if live.scan_on_push != target.settings.scan_on_push:
        changes.append(
            Change(
                "ImageScanningConfiguration.ScanOnPush",
                live.scan_on_push,
                target.settings.scan_on_push,
                True,
                "in place",
            )
        )
    if live.mutability != target.settings.tag_mutability or live.exclusion_filters:
        note = "in place"
        if target.settings.tag_mutability == "IMMUTABLE":
            note += "; pushes that move an existing tag fail from then on"
        changes.append(Change("ImageTagMutability", live.mutability, target.settings.tag_mutability, True, note))
    pattern_text = default_policy.to_text()
    if _canonical(live.lifecycle_text) != _canonical(pattern_text):
        changes.append(
            Change(
                "LifecyclePolicy",
                "none" if live.lifecycle_text is None else "another policy",
                "the pattern's default policy",
                True,
                "in place; ECR acts on it within 24 hours (see its effect below)",
            )
        )
    if live.encryption_type != "KMS":
        changes.append(
            Change(
                "EncryptionConfiguration",
                live.encryption_type,
                target.settings.encryption_type,
                False,
                "create-only: the deploy would replace the repository, which CloudFormation refuses for a named one; "
                "the import keeps it (Security Hub ECR.5 keeps failing). Only a new repository can be KMS-encrypted",
            )
        )
    return changes


def _notes(live: LiveSettings) -> list[str]:
    """What the user must know that is not a change: a KMS key the code keeps (or could not classify), and a
    repository policy carried over as it is."""
    notes: list[str] = []
    # Only a KMS-encrypted repository has a key to talk about; the others got an EncryptionConfiguration change.
    if live.encryption_type == "KMS" and live.key_manager == "CUSTOMER":
        notes.append("KMS with a customer managed key: the pattern keeps it (encryption_key=Key.from_key_arn(...)).")
    elif live.encryption_type == "KMS" and live.kms_key and live.key_manager is None:
        notes.append(
            f"kms:DescribeKey could not tell whether {live.kms_key} is the AWS managed key aws/ecr: the code names it "
            "by ARN (unchanged either way); if it is aws/ecr, drop encryption_key and Security Hub ECR.5 still fails."
        )
    if live.policy_text:
        notes.append(
            "the repository policy is imported as it is (its statements in the code above); the follow-up deploy "
            "keeps them unless you remove them from the code."
        )
    return notes


def _default_policy_effect(
    default_policy: LifecyclePolicy,
    images: Sequence[Mapping[str, Any]],
    now: datetime | str | None,
    index_children: Mapping[str, Sequence[str]] | None,
) -> tuple[int, int, int]:
    """Expiring, archiving and expiring bytes under the pattern's default policy, previewed offline, because the
    follow-up deploy lets ECR act on today's images within a day."""
    from ecr_patterns.core.lifecycle.preview import preview_lifecycle_policy

    preview = preview_lifecycle_policy(default_policy, images, now=now, index_children=index_children)
    summary = preview["summary"]
    archiving = sum(t.get("imageTotalCount", 0) for t in summary.get("transitioningImageTotalCounts") or [])
    expiring = int(summary.get("expiringImageTotalCount", 0))
    return expiring, archiving, int(preview["totals"]["expiringImageBytes"])


def import_code(live: LiveSettings, target: Preset, construct_id: str) -> str:
    """Python for the import deploy: the pattern with keywords that make its template describe ``live``."""
    return _code(live, target, construct_id, follow_up=False)


def follow_up_code(live: LiveSettings, target: Preset, construct_id: str) -> str:
    """Python for the follow-up deploy: the pattern's defaults, but the create-only properties kept as they are
    (the name, and the encryption: changing it would replace the repository)."""
    return _code(live, target, construct_id, follow_up=True)


def _code(live: LiveSettings, target: Preset, construct_id: str, *, follow_up: bool) -> str:
    keywords = [f"repository_name={live.name!r}"]
    if not follow_up:
        if live.scan_on_push != target.settings.scan_on_push:
            keywords.append(f"image_scan_on_push={live.scan_on_push}")
        if live.mutability != target.settings.tag_mutability:
            keywords.append(f"image_tag_mutability=ecr.TagMutability.{live.mutability}")
        if live.exclusion_filters:
            filters = ", ".join(
                f"ecr.ImageTagMutabilityExclusionFilter.wildcard({f!r})" for f in live.exclusion_filters
            )
            keywords.append(f"image_tag_mutability_exclusion_filters=[{filters}]")
    # Create-only: the same in both deploys.
    if live.encryption_type == "AES256":
        keywords.append("encryption=ecr.RepositoryEncryption.AES_256")
    elif live.encryption_type == "KMS_DSSE":
        keywords.append("encryption=ecr.RepositoryEncryption.KMS_DSSE")
    if live.kms_key and live.key_manager != "AWS":
        keywords.append(f'encryption_key=kms.Key.from_key_arn(self, "{construct_id}Key", {live.kms_key!r})')
    if not follow_up and not live.lifecycle_text:
        keywords.append("lifecycle_rules=[]")
    lines = [f'repository = {target.class_name}(self, "{construct_id}", {", ".join(keywords)})']
    if not follow_up and live.lifecycle_text:
        lines.append(f"repository.add_lifecycle_policy_rule(*LifecyclePolicy.from_json({live.lifecycle_text!r}).rules)")
    for statement in _statements(live.policy_text):
        lines.append(f"repository.add_to_resource_policy(iam.PolicyStatement.from_json({statement!r}))")
    for key, value in sorted(live.tags.items()):
        lines.append(f"Tags.of(repository).add({key!r}, {value!r})")
    return "\n".join(lines)


def _statements(policy_text: str | None) -> list[dict[str, Any]]:
    if not policy_text:
        return []
    statements = json.loads(policy_text).get("Statement") or []
    return [statements] if isinstance(statements, dict) else list(statements)


def _canonical(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def render_plan(plan: AdoptionPlan) -> str:
    """The plan as text: the import step, the mapping, the follow-up changes and the default policy's effect."""
    out = [
        f"Adopting {plan.live.name} under {PATTERNS[plan.pattern].class_name}",
        "",
        "The code below runs in your stack's __init__ (self is the stack), with:",
        *("    " + line for line in IMPORTS.splitlines()),
        "",
        "1. Import deploy: the pattern described as the repository is today (CloudFormation imports a resource as "
        "its template describes it):",
        "",
        *("    " + line for line in plan.import_code.splitlines()),
        "",
    ]
    if plan.resource_mapping is not None:
        out += [
            "   then: cdk import STACK --resource-mapping mapping.json   with mapping.json:",
            "    " + json.dumps(plan.resource_mapping),
        ]
    else:
        out.append("   then: cdk import STACK (pass --logical-id to get the --resource-mapping file)")
    out += [
        "",
        "2. Follow-up deploy: the pattern's defaults, the create-only name and encryption kept; then cdk deploy:",
        "",
        *("    " + line for line in plan.follow_up_code.splitlines()),
        "",
        "   which changes:",
    ]
    if not plan.changes:
        out.append("    nothing: the repository already has the pattern's settings")
    for change in plan.changes:
        note = change.note if change.in_place else f"NOT CHANGED: {change.note}"
        out.append(f"    {change.property}: {change.live} -> {change.pattern} ({note})")
    out += [
        "",
        f"The pattern's default lifecycle policy on the {plan.images} images there today: {plan.expiring} expire "
        f"({plan.expiring_bytes:,} bytes), {plan.archiving} move to archive, within 24 hours of the follow-up deploy.",
    ]
    out += [f"Note: {note}" for note in plan.notes]
    return "\n".join(out)
