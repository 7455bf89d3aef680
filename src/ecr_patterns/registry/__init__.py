"""Registry-level patterns (replication, pull-through cache, scanning, creation templates,
registry policy) and event notifications. Re-exports only, loaded on first use."""

from __future__ import annotations

import importlib
from typing import Any

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
    "notify_on_scan_findings": "ecr_patterns.registry.events",
    "notify_on_image_push": "ecr_patterns.registry.events",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ecr_patterns.registry' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
