"""Acknowledgements written for third-party scanners (checkov), in the shape they read."""

from __future__ import annotations

from aws_cdk import CfnResource


def add_checkov_skip(cfn: CfnResource, check_id: str, comment: str) -> None:
    """Write (or rewrite) one checkov skip in the resource's ``checkov`` metadata, keeping the other skips."""
    checkov = cfn.get_metadata("checkov") or {}
    skips = [s for s in checkov.get("skip", []) if s.get("id") != check_id]
    skips.append({"id": check_id, "comment": comment})
    cfn.add_metadata("checkov", {**checkov, "skip": skips})
