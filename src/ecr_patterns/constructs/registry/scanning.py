"""``RegistryScanning``: the registry's scanning configuration (basic or enhanced/Inspector)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from aws_cdk import Annotations
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from ecr_patterns.constructs.registry import _validate as check
from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core.errors import Code, Problems

_FILTER = re.compile(r"^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$")
MAX_FILTERS = 100


class ScanType(StrEnum):
    BASIC = "BASIC"
    ENHANCED = "ENHANCED"


class ScanFrequency(StrEnum):
    SCAN_ON_PUSH = "SCAN_ON_PUSH"
    CONTINUOUS_SCAN = "CONTINUOUS_SCAN"
    MANUAL = "MANUAL"


_ALLOWED = {
    ScanType.BASIC: {ScanFrequency.SCAN_ON_PUSH, ScanFrequency.MANUAL},
    ScanType.ENHANCED: {ScanFrequency.SCAN_ON_PUSH, ScanFrequency.CONTINUOUS_SCAN},
}


@dataclass(frozen=True)
class ScanRule:
    """Scan the repositories matching ``filters`` (wildcards ``*``) at ``frequency``."""

    frequency: ScanFrequency
    filters: Sequence[str] = field(default_factory=lambda: ("*",))


class RegistryScanning(Construct):
    """The registry's scanning configuration (one per account and region).

    Default: basic scanning on push of every repository (free). Enhanced scanning (Amazon
    Inspector, billed per image) adds continuous scanning and OS and language-package findings.

    :param scan_type: default ``ScanType.BASIC``.
    :param rules: default ``[ScanRule(ScanFrequency.SCAN_ON_PUSH, ["*"])]``. Frequencies must suit the
        scan type (basic: scan on push or manual; enhanced: scan on push or continuous), one rule per frequency.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        scan_type: ScanType = ScanType.BASIC,
        rules: Sequence[ScanRule] | None = None,
    ) -> None:
        super().__init__(scope, id)
        chosen = list(rules) if rules is not None else [ScanRule(ScanFrequency.SCAN_ON_PUSH)]
        problems = Problems()
        frequencies = [r.frequency for r in chosen]
        if len(set(frequencies)) != len(frequencies):
            problems.add(
                "rules", [f.value for f in frequencies], "give one rule per scan frequency", code=Code.REGISTRY_SCANNING
            )
        for rule in chosen:
            if rule.frequency not in _ALLOWED[scan_type]:
                allowed = ", ".join(sorted(f.value for f in _ALLOWED[scan_type]))
                problems.add(
                    "frequency",
                    rule.frequency.value,
                    f"{scan_type.value} scanning supports {allowed}",
                    code=Code.REGISTRY_SCANNING,
                )
            if not rule.filters:
                problems.add(
                    "filters", [], "give at least one filter ('*' for every repository)", code=Code.REGISTRY_FILTER
                )
            check.at_most(problems, "filters", len(rule.filters), MAX_FILTERS, "filters per scanning rule")
            for pattern in rule.filters:
                if not isinstance(pattern, str) or not 1 <= len(pattern) <= 256 or not _FILTER.match(pattern):
                    problems.add(
                        "filters",
                        pattern,
                        "lowercase repository names with '*' wildcards, e.g. 'prod-*' or '*'",
                        code=Code.REGISTRY_FILTER,
                    )
        problems.raise_if_any(context=lambda: self.node.path)
        if not any(r.frequency is not ScanFrequency.MANUAL for r in chosen):
            Annotations.of(self).add_warning_v2(
                "ecr-patterns:registryScanning",
                "every rule scans manually: pushed images are not scanned (Security Hub ECR.1).",
            )
        # Claimed only once the input is valid.
        claim_once(self, "registry scanning configuration")
        self.scan_type = scan_type
        self.rules = tuple(chosen)
        self.resource = ecr.CfnRegistryScanningConfiguration(
            self,
            "Resource",
            scan_type=scan_type.value,
            rules=[
                ecr.CfnRegistryScanningConfiguration.ScanningRuleProperty(
                    scan_frequency=r.frequency.value,
                    repository_filters=[
                        ecr.CfnRegistryScanningConfiguration.RepositoryFilterProperty(filter=f, filter_type="WILDCARD")
                        for f in r.filters
                    ],
                )
                for r in chosen
            ],
        )
