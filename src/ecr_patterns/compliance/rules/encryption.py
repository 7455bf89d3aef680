"""EcrPatterns-Encryption: encryption is explicit, KMS when the app requires it (CKV_AWS_136), and a customer
managed key when the app requires one (Security Hub ECR.5, AWS Config ``ecr-repository-cmk-encryption-enabled``:
"NON_COMPLIANT if the repository is encrypted using AES256 or the default KMS key ('aws/ecr')")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecr_patterns.compliance.model import Level, Outcome, Rule, RuleContext

AWS_MANAGED_ALIAS = "alias/aws/ecr"


def _names_aws_managed_key(key: Any) -> bool:
    """A template's ``KmsKey`` naming ECR's AWS managed key (by alias name or alias ARN)."""
    return isinstance(key, str) and (key == AWS_MANAGED_ALIAS or key.endswith(":" + AWS_MANAGED_ALIAS))


def check(resource: Mapping[str, Any], ctx: RuleContext) -> Outcome:
    config = (resource.get("Properties") or {}).get("EncryptionConfiguration")
    where = "Properties.EncryptionConfiguration"
    if not config:
        return Outcome.fail("no EncryptionConfiguration: the encryption at rest is whatever ECR defaults to", where)
    kind = config.get("EncryptionType")
    if (ctx.require_kms or ctx.require_customer_managed_key) and kind not in ("KMS", "KMS_DSSE"):
        return Outcome.fail(f"EncryptionType is {kind}, but this app requires KMS", where)
    if ctx.require_customer_managed_key:
        key = config.get("KmsKey")
        if ctx.kms_key_manager == "AWS" or (ctx.kms_key_manager is None and (not key or _names_aws_managed_key(key))):
            return Outcome.fail(
                "encrypted with the AWS managed key aws/ecr, but a customer managed key is required (ECR.5)",
                where,
            )
    return Outcome.ok()


RULE = Rule(
    id="EcrPatterns-Encryption",
    level=Level.ERROR,
    explanation="Images should be encrypted with a key whose use is logged and controllable (KMS).",
    fix="Use SecureRepository (KMS with the AWS-managed key by default) or pass encryption_key=your_key.",
    check=check,
)
