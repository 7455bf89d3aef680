"""What the patterns promise, judged on the final templates (plain Python, no ``aws_cdk``).

Each pattern writes one template metadata entry, ``ecr-patterns:pattern``, naming its preset and the promises
the user chose (``allowDestroy``, ``requireCustomerManagedKey``). At synth, after every Aspect, escape hatch and
later call, the app's guarantees plugin reads the rendered templates, reads each pattern's resource into the
repository model and judges it here: so ``RemovalPolicies.of(scope)``, ``apply_removal_policy`` on the L2 or the
L1, ``cfn_options``, ``add_property_override`` and Aspects are all judged on what deploys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecr_patterns.core.errors import Code
from ecr_patterns.core.presets import PRESETS, Weakening, weakenings
from ecr_patterns.core.settings import RepositorySettings, survives_stack

PATTERN_KEY = "ecr-patterns:pattern"
"""Template metadata: ``{"path": construct path, "preset": class name, "allowDestroy": bool,
"requireCustomerManagedKey": bool}``."""
SUPPRESSIONS_KEY = "ecr-patterns:suppressions"
"""Template metadata: ``[{"id": rule id, "reason": why}]`` (written by ``ecr_patterns.compliance.suppress``)."""
REPOSITORY_TYPE = "AWS::ECR::Repository"
AUTO_DELETE_TYPE = "Custom::ECRAutoDeleteImages"
"""aws-cdk-lib's ``auto_delete_images`` resource (``aws-ecr/lib/repository.js``), whose ``RepositoryName`` is a
``Ref`` to the repository it empties."""

FATAL = "fatal"
WARNING = "warning"
RETENTION_FIX = (
    "production images must survive a stack delete: remove the call that sets it (RemovalPolicies.of, "
    "apply_removal_policy, cfn_options, add_property_override, an Aspect), or pass allow_destroy=True to the "
    "ProdRepository to opt in deliberately"
)
KEY_RETAIN_FIX = (
    "a production repository's key must survive a stack delete: give the key removal_policy=RETAIN "
    "(RegistryKey's default), or pass allow_destroy=True to opt in deliberately"
)
KEY_FIX = (
    "pass encryption_key=RegistryKey(...) (a customer managed key; Security Hub ECR.5) and keep EncryptionType KMS"
)


@dataclass(frozen=True)
class GuaranteeFinding:
    """One broken promise (``fatal``: fails synth, cannot be acknowledged) or one weakened default
    (``warning``)."""

    rule_id: str
    severity: str
    code: Code | None
    logical_id: str
    template_path: str
    location: str
    message: str
    fix: str
    construct_path: str | None = None
    setting: str | None = None
    """The weakened setting's warning id, ``ecr-patterns:<setting>`` (``None`` for a broken promise of its own)."""

    def __str__(self) -> str:
        where = self.construct_path or self.logical_id
        code = f"[{self.code}] " if self.code else ""
        return f"{code}{where} {self.location}: {self.message}. Fix: {self.fix}"


def auto_deleted(resources: Mapping[str, Any]) -> frozenset[str]:
    """Logical ids of the repositories an auto-delete custom resource of the same template empties."""
    found = set()
    for resource in resources.values():
        if isinstance(resource, Mapping) and resource.get("Type") == AUTO_DELETE_TYPE:
            ref = ((resource.get("Properties") or {}).get("RepositoryName") or {}).get("Ref")
            if isinstance(ref, str):
                found.add(ref)
    return frozenset(found)


def pattern_of(resource: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pattern metadata of a repository a pattern made, else ``None``."""
    if resource.get("Type") != REPOSITORY_TYPE:
        return None
    value = (resource.get("Metadata") or {}).get(PATTERN_KEY)
    return value if isinstance(value, Mapping) and value.get("preset") in PRESETS else None


def construct_path(resource: Mapping[str, Any]) -> str | None:
    """The construct path of a resource: CDK's ``aws:cdk:path`` metadata (the L1's path) when the app writes it,
    else the path a pattern's own metadata carries."""
    metadata = resource.get("Metadata") or {}
    path = metadata.get("aws:cdk:path") if isinstance(metadata, Mapping) else None
    if isinstance(path, str):
        return path
    pattern = pattern_of(resource)
    return str(pattern["path"]) if pattern is not None and "path" in pattern else None


def suppressed_rules(resource: Mapping[str, Any]) -> dict[str, str]:
    """``{rule id: reason}`` from the resource's template metadata."""
    entries = (resource.get("Metadata") or {}).get(SUPPRESSIONS_KEY) or []
    return {e["id"]: str(e.get("reason", "")) for e in entries if isinstance(e, Mapping) and "id" in e}


def judge_pattern(
    logical_id: str, resource: Mapping[str, Any], template_path: str, *, auto_delete: bool
) -> list[GuaranteeFinding]:
    """Every broken promise and weakened default of one pattern's final resource (suppressed warnings left out)."""
    pattern = pattern_of(resource)
    if pattern is None:
        return []
    preset = PRESETS[pattern["preset"]]
    settings = RepositorySettings.from_template(resource, auto_delete_images=auto_delete)
    path = construct_path(resource)
    suppressed = suppressed_rules(resource)
    out = []
    allow_destroy = pattern.get("allowDestroy") is True
    for weakening in weakenings(settings, preset):
        production = preset.production and weakening.retention
        fatal = production and not allow_destroy
        # allow_destroy's own suppression (for the compliance rules) never silences the opt-in's warning.
        if not production and weakening.rule_id in suppressed:
            continue
        out.append(_finding(weakening, fatal, logical_id, template_path, path))
    if pattern.get("requireCustomerManagedKey") is True and (
        settings.encryption_type not in ("KMS", "KMS_DSSE") or settings.uses_aws_managed_key
    ):
        out.append(
            GuaranteeFinding(
                "EcrPatterns-Encryption",
                FATAL,
                Code.REPOSITORY_ENCRYPTION,
                logical_id,
                template_path,
                "Properties.EncryptionConfiguration",
                f"a customer managed key is required, but the repository deploys with EncryptionType "
                f"{settings.encryption_type}"
                + (" and the AWS managed key aws/ecr" if settings.uses_aws_managed_key else ""),
                KEY_FIX,
                path,
            )
        )
    return out


def _finding(
    weakening: Weakening, fatal: bool, logical_id: str, template_path: str, path: str | None
) -> GuaranteeFinding:
    return GuaranteeFinding(
        weakening.rule_id,
        FATAL if fatal else WARNING,
        Code.REPOSITORY_PRODUCTION_DESTROY if fatal else None,
        logical_id,
        template_path,
        weakening.location,
        weakening.message,
        RETENTION_FIX
        if fatal
        else f"acknowledge it with ecr_patterns.compliance.suppress(repo, "
        f"'{weakening.rule_id}', reason) if it is deliberate",
        path,
        f"ecr-patterns:{weakening.setting}",
    )


def judge_templates(templates: Mapping[str, Mapping[str, Any]]) -> list[GuaranteeFinding]:
    """Every finding over whole templates (``{path: template}``)."""
    findings: list[GuaranteeFinding] = []
    for path, template in templates.items():
        resources = template.get("Resources") or {}
        emptied: frozenset[str] | None = None
        for logical_id, resource in resources.items():
            if not isinstance(resource, Mapping) or pattern_of(resource) is None:
                continue
            if emptied is None:
                emptied = auto_deleted(resources)
            findings += judge_pattern(logical_id, resource, path, auto_delete=logical_id in emptied)
    return findings


def judge_key(
    logical_id: str, resource: Mapping[str, Any], template_path: str, key: Mapping[str, Any], key_where: str
) -> list[GuaranteeFinding]:
    """A production pattern's customer managed key, defined in the app (``key``: its final template resource, found
    at ``key_where``), must outlive the stack like the repository: a deleted key leaves every image unreadable."""
    pattern = pattern_of(resource) or {}
    if not pattern or not PRESETS[pattern["preset"]].production or pattern.get("allowDestroy") is True:
        return []
    deletion, replace = key.get("DeletionPolicy"), key.get("UpdateReplacePolicy")
    if survives_stack(deletion, replace):
        return []
    cdk_path = construct_path(resource)
    return [
        GuaranteeFinding(
            "EcrPatterns-ProductionRetention",
            FATAL,
            Code.REPOSITORY_PRODUCTION_DESTROY,
            logical_id,
            template_path,
            "Properties.EncryptionConfiguration.KmsKey",
            f"the repository's key {key_where} does not survive a stack delete and a replacement (DeletionPolicy "
            f"{deletion or 'absent: Delete'}, UpdateReplacePolicy {replace or 'absent: Delete'}): a deleted key "
            "leaves every image unreadable",
            KEY_RETAIN_FIX,
            cdk_path,
        )
    ]
