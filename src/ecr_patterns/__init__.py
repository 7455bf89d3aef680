"""ecr-patterns: AWS CDK v2 patterns for Amazon ECR.

Re-exports only. Names are loaded on first use (PEP 562) so that the plain-Python parts
(the lifecycle engine, the CLI, the errors) never import ``aws_cdk``, which starts a Node
process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ecr_patterns._lazy import lazy_exports
from ecr_patterns.errors import EcrPatternsError, ValidationError, Violation

if TYPE_CHECKING:
    from ecr_patterns.presets import DevRepository, ProdRepository
    from ecr_patterns.public import SecurePublicRepository
    from ecr_patterns.repository import SecureRepository

_LAZY = {
    "SecureRepository": "ecr_patterns.repository",
    "DevRepository": "ecr_patterns.presets",
    "ProdRepository": "ecr_patterns.presets",
    "SecurePublicRepository": "ecr_patterns.public",
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
