"""EcrPatterns-ScanOnPush: images are scanned when pushed (Security Hub ECR.1, checkov CKV_AWS_163)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from ecr_patterns.core.compliance.model import Level, Outcome, Rule, RuleContext
from ecr_patterns.core.settings import RepositorySettings


def check(settings: RepositorySettings, ctx: RuleContext) -> Outcome:
    if settings.scan_on_push:
        return Outcome.ok()
    name = settings.name
    for pattern in ctx.registry_scan_filters:
        # A generated name is only covered by a filter that matches every name.
        if pattern == "*" or (isinstance(name, str) and fnmatchcase(name, pattern)):
            return Outcome.ok()
    return Outcome.fail(
        "images are not scanned on push and no registry scanning configuration covers this repository",
        "Properties.ImageScanningConfiguration.ScanOnPush",
    )


RULE = Rule(
    id="EcrPatterns-ScanOnPush",
    level=Level.ERROR,
    explanation="Vulnerabilities in pushed images go unnoticed unless the image is scanned (Security Hub ECR.1).",
    fix="Set image_scan_on_push=True (SecureRepository's default), or cover the repository with RegistryScanning.",
    check=check,
)
