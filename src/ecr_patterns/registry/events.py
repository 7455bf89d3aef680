"""Event notifications on repositories: scan findings and image pushes (EventBridge rules)."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from ecr_patterns.errors import ValidationError

SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
"""Severities in increasing order; basic scans also report UNDEFINED, which is never matched."""


def _at_least(min_severity: str) -> list[str]:
    if min_severity not in SEVERITIES:
        raise ValidationError.single("min_severity", min_severity, f"use one of {', '.join(SEVERITIES)}")
    return list(SEVERITIES[SEVERITIES.index(min_severity) :])


def notify_on_scan_findings(
    repository: ecr.IRepository, topic: sns.ITopic, *, min_severity: str = "HIGH"
) -> list[events.Rule]:
    """Send scan results with a finding of ``min_severity`` or worse to ``topic``.

    Two EventBridge rules: basic scans ("ECR Image Scan" with a non-zero count for one of the
    severities) and enhanced scans (Amazon Inspector "Inspector2 Finding" on this repository).

    :param min_severity: default ``"HIGH"`` (HIGH and CRITICAL).
    """
    severities = _at_least(min_severity)
    scope: Construct = repository  # type: ignore[assignment]
    basic = events.Rule(
        scope,
        f"ScanFindings{min_severity.title()}",
        description=f"ECR basic scan of {repository.node.path} found {min_severity} or worse",
        event_pattern=events.EventPattern(
            source=["aws.ecr"],
            detail_type=["ECR Image Scan"],
            detail={
                "repository-name": [repository.repository_name],
                "scan-status": ["COMPLETE"],
                "$or": [{"finding-severity-counts": {s: [{"numeric": [">", 0]}]}} for s in severities],
            },
        ),
        targets=[targets.SnsTopic(topic)],
    )
    enhanced = events.Rule(
        scope,
        f"InspectorFindings{min_severity.title()}",
        description=f"Amazon Inspector found {min_severity} or worse in {repository.node.path}",
        event_pattern=events.EventPattern(
            source=["aws.inspector2"],
            detail_type=["Inspector2 Finding"],
            detail={
                "severity": severities,
                "status": ["ACTIVE"],
                "resources": {"details": {"awsEcrContainerImage": {"repositoryName": [repository.repository_name]}}},
            },
        ),
        targets=[targets.SnsTopic(topic)],
    )
    return [basic, enhanced]


def notify_on_image_push(
    repository: ecr.IRepository, target: events.IRuleTarget, *, tag_prefixes: Sequence[str] | None = None
) -> events.Rule:
    """Send every successful push (of a tag starting with one of ``tag_prefixes``; default any) to ``target``."""
    detail: dict[str, object] = {
        "action-type": ["PUSH"],
        "result": ["SUCCESS"],
        "repository-name": [repository.repository_name],
    }
    if tag_prefixes is not None:
        if not tag_prefixes or not all(isinstance(p, str) and p for p in tag_prefixes):
            raise ValidationError.single(
                "tag_prefixes", tag_prefixes, "give non-empty prefixes, or None for every push"
            )
        detail["image-tag"] = [{"prefix": p} for p in tag_prefixes]
    scope: Construct = repository  # type: ignore[assignment]
    return events.Rule(
        scope,
        "ImagePushed" if tag_prefixes is None else "ImagePushed" + "".join(p.title() for p in tag_prefixes)[:40],
        description=f"Successful pushes to {repository.node.path}",
        event_pattern=events.EventPattern(source=["aws.ecr"], detail_type=["ECR Image Action"], detail=detail),
        targets=[target],
    )
