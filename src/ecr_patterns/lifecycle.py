"""Lifecycle rules for ECR: CDK helpers, a typed policy model, a validator and an offline preview.

Re-exports only, loaded on first use: the engine (model, validation, preview, archive
rules) is plain Python; the helpers that return ``aws_cdk.aws_ecr.LifecycleRule`` load
``aws_cdk`` only when first called for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports

if TYPE_CHECKING:
    from ecr_patterns.constructs.lifecycle.rules import default_lifecycle_rules as default_lifecycle_rules
    from ecr_patterns.constructs.lifecycle.rules import delete_tagged_after_days as delete_tagged_after_days
    from ecr_patterns.constructs.lifecycle.rules import (
        delete_tagged_matching_after_days as delete_tagged_matching_after_days,
    )
    from ecr_patterns.constructs.lifecycle.rules import delete_untagged_after_days as delete_untagged_after_days
    from ecr_patterns.constructs.lifecycle.rules import keep_last_n_images as keep_last_n_images
    from ecr_patterns.constructs.lifecycle.rules import keep_tagged_images as keep_tagged_images
    from ecr_patterns.constructs.lifecycle.rules import standard_dev_lifecycle_rules as standard_dev_lifecycle_rules
    from ecr_patterns.constructs.lifecycle.rules import standard_prod_lifecycle_rules as standard_prod_lifecycle_rules
    from ecr_patterns.core.lifecycle.archive import (
        archive_images_not_pulled_for_days as archive_images_not_pulled_for_days,
    )
    from ecr_patterns.core.lifecycle.archive import (
        archive_images_pushed_more_than_days_ago as archive_images_pushed_more_than_days_ago,
    )
    from ecr_patterns.core.lifecycle.archive import (
        delete_archived_images_after_days as delete_archived_images_after_days,
    )
    from ecr_patterns.core.lifecycle.model import Action as Action
    from ecr_patterns.core.lifecycle.model import ActionType as ActionType
    from ecr_patterns.core.lifecycle.model import CountType as CountType
    from ecr_patterns.core.lifecycle.model import LifecyclePolicy as LifecyclePolicy
    from ecr_patterns.core.lifecycle.model import PolicyRule as PolicyRule
    from ecr_patterns.core.lifecycle.model import Selection as Selection
    from ecr_patterns.core.lifecycle.model import StorageClass as StorageClass
    from ecr_patterns.core.lifecycle.model import TagStatus as TagStatus
    from ecr_patterns.core.lifecycle.preview import preview_lifecycle_policy as preview_lifecycle_policy
    from ecr_patterns.core.lifecycle.standard import default_policy_rules as default_policy_rules
    from ecr_patterns.core.lifecycle.standard import dev_policy_rules as dev_policy_rules
    from ecr_patterns.core.lifecycle.standard import prod_policy_rules as prod_policy_rules
    from ecr_patterns.core.lifecycle.validate import lifecycle_policy_violations as lifecycle_policy_violations
    from ecr_patterns.core.lifecycle.validate import validate_lifecycle_policy as validate_lifecycle_policy

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

__all__ = [
    "Action",
    "ActionType",
    "CountType",
    "LifecyclePolicy",
    "PolicyRule",
    "Selection",
    "StorageClass",
    "TagStatus",
    "archive_images_not_pulled_for_days",
    "archive_images_pushed_more_than_days_ago",
    "default_lifecycle_rules",
    "default_policy_rules",
    "delete_archived_images_after_days",
    "delete_tagged_after_days",
    "delete_tagged_matching_after_days",
    "delete_untagged_after_days",
    "dev_policy_rules",
    "keep_last_n_images",
    "keep_tagged_images",
    "lifecycle_policy_violations",
    "preview_lifecycle_policy",
    "prod_policy_rules",
    "standard_dev_lifecycle_rules",
    "standard_prod_lifecycle_rules",
    "validate_lifecycle_policy",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
