"""What other tools call each of our rules, and where they judge the same setting differently.

Read from their documentation and source (2026-12):

- Security Hub CSPM controls for Amazon ECR (securityhub/latest/userguide/ecr-controls): ECR.1 image scanning
  (scan on push or continuous), ECR.2 tag immutability ("passes if tag immutability is enabled and has the value
  IMMUTABLE"), ECR.3 at least one lifecycle policy, ECR.5 a customer managed KMS key; each names its AWS Config
  rule.
- AWS Config managed rules: ``ecr-private-image-scanning-enabled``, ``ecr-private-tag-immutability-enabled``,
  ``ecr-private-lifecycle-policy-configured``, ``ecr-repository-cmk-encryption-enabled`` ("NON_COMPLIANT if the
  repository is encrypted using AES256 or the default KMS key ('aws/ecr')").
- prowler (``prowler/providers/aws/services/ecr``): ``ecr_repositories_scan_images_on_push_enabled`` (fails when
  the repository's own scanOnPush is off, whatever the registry scans), ``ecr_repositories_tag_immutability``
  (fails only ``MUTABLE``), ``ecr_repositories_lifecycle_policy_enabled`` (passes any policy),
  ``ecr_repositories_not_publicly_accessible``, ``ecr_repository_encrypted_with_cmk`` (KMS or KMS_DSSE with a key
  DescribeKey reports as CUSTOMER).
- checkov 3.3.30 (measured on these machines): CKV_AWS_163 scan on push, CKV_AWS_51 only ``IMMUTABLE`` passes,
  CKV_AWS_136 only ``KMS`` passes (``AES256`` and ``KMS_DSSE`` fail; any key, ``aws/ecr`` included, passes),
  CKV_AWS_32 no public policy. checkov has no lifecycle-policy check for ECR.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecr_patterns.core.settings import RepositorySettings


@dataclass(frozen=True)
class Standards:
    """The ids other tools give the check one of our rules makes (``None``: that tool has none)."""

    security_hub: str | None = None
    aws_config: str | None = None
    prowler: str | None = None
    checkov: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {
            "securityHub": self.security_hub,
            "awsConfig": self.aws_config,
            "prowler": self.prowler,
            "checkov": self.checkov,
        }


STANDARDS: Mapping[str, Standards] = {
    "EcrPatterns-ScanOnPush": Standards(
        "ECR.1", "ecr-private-image-scanning-enabled", "ecr_repositories_scan_images_on_push_enabled", "CKV_AWS_163"
    ),
    "EcrPatterns-TagImmutability": Standards(
        "ECR.2", "ecr-private-tag-immutability-enabled", "ecr_repositories_tag_immutability", "CKV_AWS_51"
    ),
    "EcrPatterns-LifecyclePolicy": Standards(
        "ECR.3", "ecr-private-lifecycle-policy-configured", "ecr_repositories_lifecycle_policy_enabled", None
    ),
    "EcrPatterns-Encryption": Standards(
        "ECR.5", "ecr-repository-cmk-encryption-enabled", "ecr_repository_encrypted_with_cmk", "CKV_AWS_136"
    ),
    "EcrPatterns-OpenAccess": Standards(None, None, "ecr_repositories_not_publicly_accessible", "CKV_AWS_32"),
}
"""Our rule id → the other tools' ids for the same setting."""


def verdicts(settings: RepositorySettings, registry_scans: bool) -> dict[str, Any]:
    """What each tool decides about one repository's setting, as their documentation and source say, for the
    settings where they differ. ``settings`` is the repository's model (its ``kms_key_manager``: ``"AWS"``,
    ``"CUSTOMER"`` or ``None``, unknown); ``registry_scans`` whether registry scanning covers it.

    Returns ``{our rule id: {"securityHub": bool, "prowler": bool, "checkov": bool, ...}}``, ``True`` meaning
    the tool passes it; a tool that has no such check is left out.
    """
    mutability = settings.tag_mutability
    kind = settings.encryption_type
    own_scan = settings.scan_on_push
    has_policy = bool(settings.lifecycle_policy)
    key_manager = settings.kms_key_manager
    cmk = kind in ("KMS", "KMS_DSSE") and key_manager == "CUSTOMER"
    return {
        "EcrPatterns-ScanOnPush": {
            "securityHub": own_scan or registry_scans,
            "prowler": own_scan,
            "checkov": own_scan,
        },
        "EcrPatterns-TagImmutability": {
            "securityHub": mutability == "IMMUTABLE",
            "prowler": mutability != "MUTABLE",
            "checkov": mutability == "IMMUTABLE",
        },
        "EcrPatterns-LifecyclePolicy": {"securityHub": has_policy, "prowler": has_policy},
        "EcrPatterns-Encryption": {
            "securityHub": cmk,
            "prowler": None if kind in ("KMS", "KMS_DSSE") and key_manager is None else cmk,
            "checkov": kind == "KMS",
        },
    }


def disagreement(verdict: Mapping[str, bool | None]) -> str | None:
    """One sentence naming the tools that pass and those that fail, when they do not all agree."""
    known = {tool: ok for tool, ok in verdict.items() if ok is not None}
    if len(set(known.values())) < 2:
        return None
    names = {"securityHub": "Security Hub", "prowler": "prowler", "checkov": "checkov"}
    passing = [names[t] for t, ok in known.items() if ok]
    failing = [names[t] for t, ok in known.items() if not ok]
    fail_verb = "fails" if len(failing) == 1 else "fail"
    pass_verb = "passes" if len(passing) == 1 else "pass"
    return f"{' and '.join(failing)} {fail_verb} it; {' and '.join(passing)} {pass_verb} it"
