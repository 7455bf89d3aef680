"""EcrPatterns-Encryption: the effective encryption at rest is KMS when the app requires it (CKV_AWS_136), and a
customer managed key when the app requires one (Security Hub ECR.5, AWS Config
``ecr-repository-cmk-encryption-enabled``: "NON_COMPLIANT if the repository is encrypted using AES256 or the default
KMS key ('aws/ecr')"). A repository with no encryption configuration is AES256 (ECR API reference,
``EncryptionConfiguration``: "If you use the AES256 encryption type, or no encryption configuration ..."), the same
encryption at rest as an explicit ``AES256``: both pass unless KMS is required."""

from __future__ import annotations

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import RepositorySettings


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    where = "Properties.EncryptionConfiguration"
    kind = settings.encryption_type
    if (ctx.require_kms or ctx.require_customer_managed_key) and kind not in ("KMS", "KMS_DSSE"):
        return Outcome.fail(f"the encryption is {kind}, but this app requires KMS", where)
    if ctx.require_customer_managed_key and settings.uses_aws_managed_key:
        return Outcome.fail(
            "encrypted with the AWS managed key aws/ecr, but a customer managed key is required (ECR.5)", where
        )
    return Outcome.ok()


RULE = Rule(
    id="EcrPatterns-Encryption",
    level=Level.ERROR,
    explanation="Images should be encrypted with a key whose use is logged and controllable (KMS).",
    fix="Use SecureRepository (KMS with the AWS-managed key by default) or pass encryption_key=your_key.",
    check=check,
)
