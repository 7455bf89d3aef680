"""Step ``deployed``: every rule that can judge a live repository gives the same verdict on the synthesized
template and on the deployed repository, read back as the audit reads it (issue #22: synth and live agree)."""

from __future__ import annotations

from typing import Any

import pytest

from ecr_patterns.core.compliance.engine import ComplianceConfig
from ecr_patterns.core.compliance.model import RuleContext, Status
from ecr_patterns.core.compliance.rules import ALL_RULES
from ecr_patterns.core.settings import RepositorySettings
from ecr_patterns.tools.audit.judge import live_settings
from ecr_patterns.tools.audit.reader import read_named_repository
from integ.apps import verdicts
from integ.deployment import Deployment
from integ.target import Target

pytestmark = pytest.mark.stage("deployed")

CONFIGS = {
    "default": ComplianceConfig(),
    "require_kms": ComplianceConfig.build(require_kms=True),
    "require_customer_managed_key": ComplianceConfig.build(require_customer_managed_key=True),
}
EXPECTED_FAILURES = {
    "verdict-compliant": set(),
    "verdict-unscanned": {"EcrPatterns-ScanOnPush"},
    "verdict-mutable": {"EcrPatterns-TagImmutability"},
    "verdict-aes256": set(),
    "verdict-aws-managed-key": set(),
    "verdict-no-lifecycle": {"EcrPatterns-LifecyclePolicy"},
    "verdict-open": {"EcrPatterns-OpenAccess"},
}
STRICTER = {
    "require_kms": {"verdict-aes256": {"EcrPatterns-Encryption"}},
    "require_customer_managed_key": {
        "verdict-aes256": {"EcrPatterns-Encryption"},
        "verdict-aws-managed-key": {"EcrPatterns-Encryption"},
        # Every KMS repository here uses the AWS managed key aws/ecr.
        **{name: {"EcrPatterns-Encryption"} for name in verdicts.REPOSITORIES if name not in ("verdict-aes256",)},
    },
}


def _live(ecr: Any, kms: Any, name: str) -> RepositorySettings:
    """The deployed repository read by the audit's own reader (the same calls, ``kms:DescribeKey`` for the key's
    manager) and turned into the model by the audit's own converter."""
    return live_settings(read_named_repository(ecr, name, kms=kms))


def _failures(settings: RepositorySettings, config: ComplianceConfig) -> set[str]:
    ctx = RuleContext(
        "x", {}, require_kms=config.require_kms, require_customer_managed_key=config.require_customer_managed_key
    )
    return {r.id for r in ALL_RULES if r.live and r.check(settings, ctx).status is Status.NON_COMPLIANT}


@pytest.mark.parametrize("config", sorted(CONFIGS))
@pytest.mark.parametrize("base", verdicts.REPOSITORIES)
def test_each_rule_gives_the_same_verdict_on_the_template_and_on_the_live_repository(
    deployment: Deployment, ecr: Any, target: Target, base: str, config: str
) -> None:
    name = verdicts.repository_name(base, deployment.target.suffix)
    properties = deployment.assembly("verdicts").repository(name)  # properties, as the assembly lists them
    template = RepositorySettings.from_template({"Type": "AWS::ECR::Repository", "Properties": properties})
    live = _live(ecr, target.client("kms"), name)
    expected = EXPECTED_FAILURES[base] | STRICTER.get(config, {}).get(base, set())
    assert _failures(template, CONFIGS[config]) == expected
    assert _failures(live, CONFIGS[config]) == expected
