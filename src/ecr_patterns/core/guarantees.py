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
"""Template metadata: ``{"preset": class name, "allowDestroy": bool, "requireCustomerManagedKey": bool}``."""
SUPPRESSIONS_KEY = "ecr-patterns:suppressions"
"""Template metadata: ``[{"id": rule id, "reason": why}]`` (written by ``ecr_patterns.compliance.suppress``)."""
REPOSITORY_TYPE = "AWS::ECR::Repository"
KMS_KEY_TYPE = "AWS::KMS::Key"
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
    path = (resource.get("Metadata") or {}).get("aws:cdk:path")
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
                path if isinstance(path, str) else None,
            )
        )
    return out


def _finding(weakening: Weakening, fatal: bool, logical_id: str, template_path: str, path: object) -> GuaranteeFinding:
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
        path if isinstance(path, str) else None,
        f"ecr-patterns:{weakening.setting}",
    )


def judge_templates(templates: Mapping[str, Mapping[str, Any]]) -> list[GuaranteeFinding]:
    """Every finding over whole templates (``{path: template}``)."""
    findings: list[GuaranteeFinding] = []
    keys = _KeyFinder(templates)
    for path, template in templates.items():
        resources = template.get("Resources") or {}
        emptied: frozenset[str] | None = None
        for logical_id, resource in resources.items():
            if not isinstance(resource, Mapping) or pattern_of(resource) is None:
                continue
            if emptied is None:
                emptied = auto_deleted(resources)
            findings += judge_pattern(logical_id, resource, path, auto_delete=logical_id in emptied)
            findings += _judge_key(logical_id, resource, path, keys)
    return findings


def _judge_key(logical_id: str, resource: Mapping[str, Any], path: str, keys: _KeyFinder) -> list[GuaranteeFinding]:
    """A production pattern's customer managed key, defined in the app, must outlive the stack like the repository:
    a deleted key leaves every image unreadable (the key's final template resource is judged, whatever set it)."""
    pattern = pattern_of(resource) or {}
    if not PRESETS[pattern["preset"]].production or pattern.get("allowDestroy") is True:
        return []
    encryption = (resource.get("Properties") or {}).get("EncryptionConfiguration") or {}
    found = keys.find(encryption.get("KmsKey") if isinstance(encryption, Mapping) else None, path)
    if found is None:
        return []
    key_path, key_id, key = found
    deletion, replace = key.get("DeletionPolicy"), key.get("UpdateReplacePolicy")
    if survives_stack(deletion, replace):
        return []
    where = key_id if key_path == path else f"{key_id} in {key_path}"
    cdk_path = (resource.get("Metadata") or {}).get("aws:cdk:path")
    return [
        GuaranteeFinding(
            "EcrPatterns-ProductionRetention",
            FATAL,
            Code.REPOSITORY_PRODUCTION_DESTROY,
            logical_id,
            path,
            "Properties.EncryptionConfiguration.KmsKey",
            f"the repository's key {where} does not survive a stack delete and a replacement (DeletionPolicy "
            f"{deletion or 'absent: Delete'}, UpdateReplacePolicy {replace or 'absent: Delete'}): a deleted key "
            "leaves every image unreadable",
            KEY_RETAIN_FIX,
            cdk_path if isinstance(cdk_path, str) else None,
        )
    ]


class _KeyFinder:
    """The ``AWS::KMS::Key`` resource a repository's ``KmsKey`` names: ``Fn::GetAtt``/``Ref`` in the same template, or
    ``Fn::ImportValue`` of another template's export (how CDK references a key of another stack). ``None`` for a
    key the app does not define (an ARN, an alias, an import of something else)."""

    def __init__(self, templates: Mapping[str, Mapping[str, Any]]) -> None:
        self._templates = templates
        self._exports: dict[str, tuple[str, Any]] | None = None

    def find(self, value: Any, path: str) -> tuple[str, str, Mapping[str, Any]] | None:
        if not isinstance(value, Mapping) or len(value) != 1:
            return None
        ((function, argument),) = value.items()
        if function == "Fn::ImportValue" and isinstance(argument, str):
            exported = self._exported().get(argument)
            return self.find(exported[1], exported[0]) if exported else None
        logical_id = _referenced(function, argument)
        resource = ((self._templates.get(path) or {}).get("Resources") or {}).get(logical_id or "")
        if isinstance(resource, Mapping) and resource.get("Type") == KMS_KEY_TYPE:
            return path, str(logical_id), resource
        return None

    def _exported(self) -> dict[str, tuple[str, Any]]:
        if self._exports is None:
            self._exports = {
                output["Export"]["Name"]: (path, output.get("Value"))
                for path, template in self._templates.items()
                for output in (template.get("Outputs") or {}).values()
                if isinstance(output, Mapping)
                and isinstance(output.get("Export"), Mapping)
                and isinstance(output["Export"].get("Name"), str)
            }
        return self._exports


def _referenced(function: str, argument: Any) -> str | None:
    """The logical id a ``Ref`` or ``Fn::GetAtt`` (list or ``"Id.Attr"`` form) names."""
    if function == "Ref" and isinstance(argument, str):
        return argument
    if function == "Fn::GetAtt":
        if isinstance(argument, list) and argument and isinstance(argument[0], str):
            return argument[0]
        if isinstance(argument, str):
            return argument.split(".", 1)[0]
    return None
