"""Registry-level patterns (replication, pull-through cache, scanning, creation templates, registry policy,
pull-time update exclusions, the registry's KMS key, managed signing) and event notifications. Re-exports only,
loaded on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports

if TYPE_CHECKING:
    from ecr_patterns.constructs.registry.creation_template import AppliedFor as AppliedFor
    from ecr_patterns.constructs.registry.creation_template import (
        RepositoryCreationTemplate as RepositoryCreationTemplate,
    )
    from ecr_patterns.constructs.registry.events import notify_on_image_push as notify_on_image_push
    from ecr_patterns.constructs.registry.events import notify_on_scan_findings as notify_on_scan_findings
    from ecr_patterns.constructs.registry.key import RegistryKey as RegistryKey
    from ecr_patterns.constructs.registry.pull_through_cache import PullThroughCache as PullThroughCache
    from ecr_patterns.constructs.registry.pull_through_cache import UpstreamRegistry as UpstreamRegistry
    from ecr_patterns.constructs.registry.pull_time import PullTimeUpdateExclusions as PullTimeUpdateExclusions
    from ecr_patterns.constructs.registry.registry_policy import RegistryPolicy as RegistryPolicy
    from ecr_patterns.constructs.registry.replication import RegistryReplication as RegistryReplication
    from ecr_patterns.constructs.registry.replication import ReplicationDestination as ReplicationDestination
    from ecr_patterns.constructs.registry.replication import ReplicationRule as ReplicationRule
    from ecr_patterns.constructs.registry.replication import (
        replication_policy_statement as replication_policy_statement,
    )
    from ecr_patterns.constructs.registry.scanning import RegistryScanning as RegistryScanning
    from ecr_patterns.constructs.registry.scanning import ScanFrequency as ScanFrequency
    from ecr_patterns.constructs.registry.scanning import ScanRule as ScanRule
    from ecr_patterns.constructs.registry.scanning import ScanType as ScanType
    from ecr_patterns.constructs.registry.signing import SigningConfiguration as SigningConfiguration
    from ecr_patterns.constructs.registry.signing import SigningRule as SigningRule

_LAZY = {
    "RegistryReplication": "ecr_patterns.constructs.registry.replication",
    "ReplicationRule": "ecr_patterns.constructs.registry.replication",
    "ReplicationDestination": "ecr_patterns.constructs.registry.replication",
    "replication_policy_statement": "ecr_patterns.constructs.registry.replication",
    "PullThroughCache": "ecr_patterns.constructs.registry.pull_through_cache",
    "UpstreamRegistry": "ecr_patterns.constructs.registry.pull_through_cache",
    "RegistryScanning": "ecr_patterns.constructs.registry.scanning",
    "ScanRule": "ecr_patterns.constructs.registry.scanning",
    "ScanType": "ecr_patterns.constructs.registry.scanning",
    "ScanFrequency": "ecr_patterns.constructs.registry.scanning",
    "RepositoryCreationTemplate": "ecr_patterns.constructs.registry.creation_template",
    "AppliedFor": "ecr_patterns.constructs.registry.creation_template",
    "RegistryPolicy": "ecr_patterns.constructs.registry.registry_policy",
    "PullTimeUpdateExclusions": "ecr_patterns.constructs.registry.pull_time",
    "RegistryKey": "ecr_patterns.constructs.registry.key",
    "SigningConfiguration": "ecr_patterns.constructs.registry.signing",
    "SigningRule": "ecr_patterns.constructs.registry.signing",
    "notify_on_scan_findings": "ecr_patterns.constructs.registry.events",
    "notify_on_image_push": "ecr_patterns.constructs.registry.events",
}

__all__ = [
    "AppliedFor",
    "PullThroughCache",
    "PullTimeUpdateExclusions",
    "RegistryKey",
    "RegistryPolicy",
    "RegistryReplication",
    "RegistryScanning",
    "ReplicationDestination",
    "ReplicationRule",
    "RepositoryCreationTemplate",
    "ScanFrequency",
    "ScanRule",
    "ScanType",
    "SigningConfiguration",
    "SigningRule",
    "UpstreamRegistry",
    "notify_on_image_push",
    "notify_on_scan_findings",
    "replication_policy_statement",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
