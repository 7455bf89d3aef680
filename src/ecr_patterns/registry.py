"""Registry-level patterns (replication, pull-through cache, scanning, creation templates, registry policy,
pull-time update exclusions, the registry's KMS key, managed signing) and event notifications. Re-exports only,
loaded on first use."""

from __future__ import annotations

from ecr_patterns._lazy import lazy_exports

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

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
