"""The secure defaults, in one place, as plain values.

Plain Python (no ``aws_cdk``): patterns, registry constructs, compliance rules and docs
all read these, so a default is changed here or nowhere.
"""

from __future__ import annotations

from typing import Final

SCAN_ON_PUSH: Final = True
TAG_MUTABILITY: Final = "IMMUTABLE"
ENCRYPTION_TYPE: Final = "KMS"
"""KMS with the AWS-managed key ``aws/ecr`` unless a customer key is given."""

UNTAGGED_EXPIRY_DAYS: Final = 14
"""SecureRepository: untagged images expire this many days after push."""
MAX_IMAGE_COUNT: Final = 1000
"""SecureRepository: a generous cap on the total number of images (ECR's quota is 20,000)."""

DEV_UNTAGGED_EXPIRY_DAYS: Final = 7
DEV_MAX_IMAGE_COUNT: Final = 10
PROD_UNTAGGED_EXPIRY_DAYS: Final = 14
"""``standard_prod_lifecycle_rules()``: untagged images expire this many days after push."""
PROD_MAX_IMAGE_COUNT: Final = 30
"""``standard_prod_lifecycle_rules()``: all but this many newest images expire."""
PROD_UNTAGGED_ARCHIVE_DAYS: Final = 14
"""ProdRepository: untagged images move to archive this many days after push."""
PROD_ACTIVE_IMAGE_COUNT: Final = 30
"""ProdRepository: all but this many newest images move to archive (never deleted)."""

PULL_ACTIONS: Final = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:BatchGetImage",
)
"""The only actions the pull shortcuts grant: never push actions, never ``ecr:*``."""

MAX_TAG_PATTERN_WILDCARDS: Final = 4
"""ECR accepts at most four ``*`` in one tag pattern."""
