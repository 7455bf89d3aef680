"""Lifecycle helpers returning ``aws_cdk.aws_ecr.LifecycleRule`` (CDK). Re-exported by ``ecr_patterns.lifecycle``."""

from __future__ import annotations

__all__: list[str] = []
