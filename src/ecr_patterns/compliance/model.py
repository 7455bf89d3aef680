"""What a compliance rule is and what it finds (plain Python, no ``aws_cdk``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

REPOSITORY_TYPE = "AWS::ECR::Repository"
SUPPRESSIONS_KEY = "ecr-patterns:suppressions"
"""Template metadata key holding ``[{"id": rule id, "reason": why}]`` for a resource."""
PRODUCTION_KEY = "ecr-patterns:production"
"""Template metadata key that marks a repository as production (``ProdRepository`` writes it)."""
WARNED_KEY = "ecr-patterns:warned"
"""Template metadata key listing the rule ids whose deviation the construct itself already warned
about: the plugin and the Aspect do not repeat those warnings (each deviation is reported once)."""

WARNING_PREFIX = "ecr-patterns"
CONSTRUCT_WARNINGS: dict[str, str] = {
    "ecr-patterns:imageScanOnPush": "EcrPatterns-ScanOnPush",
    "ecr-patterns:imageTagMutability": "EcrPatterns-TagImmutability",
    "ecr-patterns:encryption": "EcrPatterns-Encryption",
    "ecr-patterns:lifecycleRules": "EcrPatterns-LifecyclePolicy",
    "ecr-patterns:removalPolicy": "EcrPatterns-ProductionRetention",
    "ecr-patterns:emptyOnDelete": "EcrPatterns-ProductionRetention",
    "ecr-patterns:autoDeleteImages": "EcrPatterns-ProductionRetention",
}
"""Each construct warning id of the patterns, and the compliance rule that judges the same setting."""


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Status(StrEnum):
    COMPLIANT = "compliant"
    NON_COMPLIANT = "non-compliant"
    NOT_APPLICABLE = "not-applicable"


@dataclass(frozen=True)
class Outcome:
    """What one rule says about one resource."""

    status: Status
    message: str = ""
    location: str = "Properties"

    @classmethod
    def ok(cls) -> Outcome:
        return cls(Status.COMPLIANT)

    @classmethod
    def not_applicable(cls) -> Outcome:
        return cls(Status.NOT_APPLICABLE)

    @classmethod
    def fail(cls, message: str, location: str = "Properties") -> Outcome:
        return cls(Status.NON_COMPLIANT, message, location)


@dataclass(frozen=True)
class RuleContext:
    """The world around one resource: its template and app-wide facts a rule may need."""

    logical_id: str
    template: Mapping[str, Any]
    registry_scan_filters: tuple[str, ...] = ()
    """Wildcard repository filters of registry scanning configurations (scan on push or continuous)."""
    require_kms: bool = False
    require_customer_managed_key: bool = False
    kms_key_manager: str | None = None
    """For a live repository: ``"AWS"`` or ``"CUSTOMER"``, as ``kms:DescribeKey`` reports the key's
    ``KeyManager``; ``None`` in a template (the key is judged by how the template names it)."""
    pull_time_exclusions: int | None = None
    """How many pull-time update exclusions the app defines for the repository's account and region;
    ``None`` when not known."""


@dataclass(frozen=True)
class Rule:
    """A compliance rule: a stable id, a level, an explanation, a fix and a pure check."""

    id: str
    level: Level
    explanation: str
    fix: str
    check: Callable[[Mapping[str, Any], RuleContext], Outcome] = field(repr=False, compare=False)
    live: bool = True
    """Whether the rule can judge a live repository (``False`` for template-only settings such as the
    deletion policy, which ECR does not know)."""


@dataclass(frozen=True)
class Finding:
    """A rule's non-compliance (or crash) on one resource."""

    rule_id: str
    level: Level
    logical_id: str
    message: str
    fix: str
    location: str = "Properties"
    template_path: str | None = None
    suppressed_reason: str | None = None

    def __str__(self) -> str:
        return f"[{self.rule_id}] {self.logical_id}: {self.message}. Fix: {self.fix}"
