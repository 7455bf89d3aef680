"""CDK's own container-assets repository, hardened: the bootstrap template edit and the live check.
Re-exports only (plain Python, never ``aws_cdk``)."""

from __future__ import annotations

from ecr_patterns.tools.bootstrap.policy import bootstrap_lifecycle_policy
from ecr_patterns.tools.bootstrap.template import HardenedTemplate, harden_bootstrap_template

__all__ = [
    "HardenedTemplate",
    "bootstrap_lifecycle_policy",
    "harden_bootstrap_template",
]
