"""Registry-level patterns (replication, pull-through cache, scanning, creation templates, registry policy,
pull-time update exclusions, the registry's KMS key, managed signing) and event notifications. Re-exports only,
loaded on first use."""

from __future__ import annotations

from ecr_patterns._lazy import lazy_exports

_LAZY = {
    "RegistryReplication": "ecr_patterns.registry.replication",
    "ReplicationRule": "ecr_patterns.registry.replication",
    "ReplicationDestination": "ecr_patterns.registry.replication",
    "replication_policy_statement": "ecr_patterns.registry.replication",
    "PullThroughCache": "ecr_patterns.registry.pull_through_cache",
    "UpstreamRegistry": "ecr_patterns.registry.pull_through_cache",
    "RegistryScanning": "ecr_patterns.registry.scanning",
    "ScanRule": "ecr_patterns.registry.scanning",
    "ScanType": "ecr_patterns.registry.scanning",
    "ScanFrequency": "ecr_patterns.registry.scanning",
    "RepositoryCreationTemplate": "ecr_patterns.registry.creation_template",
    "AppliedFor": "ecr_patterns.registry.creation_template",
    "RegistryPolicy": "ecr_patterns.registry.registry_policy",
    "PullTimeUpdateExclusions": "ecr_patterns.registry.pull_time",
    "RegistryKey": "ecr_patterns.registry.key",
    "SigningConfiguration": "ecr_patterns.registry.signing",
    "SigningRule": "ecr_patterns.registry.signing",
    "notify_on_scan_findings": "ecr_patterns.registry.events",
    "notify_on_image_push": "ecr_patterns.registry.events",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
