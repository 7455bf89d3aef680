"""ecr-patterns: AWS CDK v2 patterns for Amazon ECR.

Re-exports only. Names are loaded on first use (PEP 562) so that the plain-Python parts
(the lifecycle engine, the CLI, the errors) never import ``aws_cdk``, which starts a Node
process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports
from ecr_patterns.core.errors import EcrPatternsError, ValidationError, Violation

if TYPE_CHECKING:
    from ecr_patterns.constructs.presets import DevRepository, ProdRepository
    from ecr_patterns.constructs.public import SecurePublicRepository
    from ecr_patterns.constructs.repository import SecureRepository

_LAZY = {
    "SecureRepository": "ecr_patterns.constructs.repository",
    "DevRepository": "ecr_patterns.constructs.presets",
    "ProdRepository": "ecr_patterns.constructs.presets",
    "SecurePublicRepository": "ecr_patterns.constructs.public",
}

__all__ = [
    "DevRepository",
    "EcrPatternsError",
    "ProdRepository",
    "SecurePublicRepository",
    "SecureRepository",
    "ValidationError",
    "Violation",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
