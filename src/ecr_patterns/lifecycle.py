"""Lifecycle rules for ECR: CDK helpers, a typed policy model, a validator and an offline preview.

Re-exports only, loaded on first use: the engine (model, validation, preview, archive
rules) is plain Python; the helpers that return ``aws_cdk.aws_ecr.LifecycleRule`` load
``aws_cdk`` only when first called for.
"""

from __future__ import annotations

from ecr_patterns._lazy import lazy_exports

_LAZY = {
    # typed model (plain Python)
    "LifecyclePolicy": "ecr_patterns.core.lifecycle.model",
    "PolicyRule": "ecr_patterns.core.lifecycle.model",
    "Selection": "ecr_patterns.core.lifecycle.model",
    "Action": "ecr_patterns.core.lifecycle.model",
    "TagStatus": "ecr_patterns.core.lifecycle.model",
    "CountType": "ecr_patterns.core.lifecycle.model",
    "StorageClass": "ecr_patterns.core.lifecycle.model",
    "ActionType": "ecr_patterns.core.lifecycle.model",
    # validation and preview (plain Python)
    "validate_lifecycle_policy": "ecr_patterns.core.lifecycle.validate",
    "lifecycle_policy_violations": "ecr_patterns.core.lifecycle.validate",
    "preview_lifecycle_policy": "ecr_patterns.core.lifecycle.preview",
    # archive storage class rules (plain Python, PolicyRule)
    "archive_images_not_pulled_for_days": "ecr_patterns.core.lifecycle.archive",
    "archive_images_pushed_more_than_days_ago": "ecr_patterns.core.lifecycle.archive",
    "delete_archived_images_after_days": "ecr_patterns.core.lifecycle.archive",
    # the patterns' default policies as engine rules (plain Python, PolicyRule)
    "default_policy_rules": "ecr_patterns.core.lifecycle.standard",
    "dev_policy_rules": "ecr_patterns.core.lifecycle.standard",
    "prod_policy_rules": "ecr_patterns.core.lifecycle.standard",
    # CDK helpers returning aws_ecr.LifecycleRule
    "delete_untagged_after_days": "ecr_patterns.constructs.lifecycle.rules",
    "keep_last_n_images": "ecr_patterns.constructs.lifecycle.rules",
    "delete_tagged_after_days": "ecr_patterns.constructs.lifecycle.rules",
    "delete_tagged_matching_after_days": "ecr_patterns.constructs.lifecycle.rules",
    "keep_tagged_images": "ecr_patterns.constructs.lifecycle.rules",
    "standard_dev_lifecycle_rules": "ecr_patterns.constructs.lifecycle.rules",
    "standard_prod_lifecycle_rules": "ecr_patterns.constructs.lifecycle.rules",
    "default_lifecycle_rules": "ecr_patterns.constructs.lifecycle.rules",
}

__all__ = sorted(_LAZY)


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
