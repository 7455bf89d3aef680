"""EcrPatterns-Encryption: encryption is explicit, and KMS when the app requires it (CKV_AWS_136)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecr_patterns.compliance.model import Level, Outcome, Rule, RuleContext


def check(resource: Mapping[str, Any], ctx: RuleContext) -> Outcome:
    config = (resource.get("Properties") or {}).get("EncryptionConfiguration")
    if not config:
        return Outcome.fail(
            "no EncryptionConfiguration: the encryption at rest is whatever ECR defaults to",
            "Properties.EncryptionConfiguration",
        )
    kind = config.get("EncryptionType")
    if ctx.require_kms and kind not in ("KMS", "KMS_DSSE"):
        return Outcome.fail(
            f"EncryptionType is {kind}, but this app requires KMS", "Properties.EncryptionConfiguration"
        )
    return Outcome.ok()


RULE = Rule(
    id="EcrPatterns-Encryption",
    level=Level.ERROR,
    explanation="Images should be encrypted with a key whose use is logged and controllable (KMS).",
    fix="Use SecureRepository (KMS with the AWS-managed key by default) or pass encryption_key=your_key.",
    check=check,
)
