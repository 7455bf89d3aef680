"""What a compliance rule is and what it finds (plain Python, no ``aws_cdk``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from ecr_patterns.core.guarantees import REPOSITORY_TYPE as REPOSITORY_TYPE
from ecr_patterns.core.guarantees import SUPPRESSIONS_KEY as SUPPRESSIONS_KEY
from ecr_patterns.core.presets import SETTING_RULES
from ecr_patterns.core.settings import PRODUCTION_KEY as PRODUCTION_KEY

if TYPE_CHECKING:
    from ecr_patterns.core.settings import RepositorySettings


WARNING_PREFIX = "ecr-patterns"
CONSTRUCT_WARNINGS: dict[str, str] = {f"{WARNING_PREFIX}:{setting}": rule for setting, rule in SETTING_RULES.items()}
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
    pull_time_exclusions: int | None = None
    """How many pull-time update exclusions the app defines for the repository's account and region;
    ``None`` when not known."""
    auto_delete_images: bool = False
    """A template's ``Custom::ECRAutoDeleteImages`` resource empties this repository on delete."""


@dataclass(frozen=True)
class Rule:
    """A compliance rule: a stable id, a level, an explanation, a fix and a pure check."""

    id: str
    level: Level
    explanation: str
    fix: str
    check: Callable[[RepositorySettings, RuleContext], Outcome] = field(repr=False, compare=False)
    """A pure function of the repository's effective settings (:class:`ecr_patterns.core.RepositorySettings`)."""
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
