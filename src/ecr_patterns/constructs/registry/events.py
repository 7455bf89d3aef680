"""Event notifications on repositories: scan findings and image pushes (EventBridge rules).

Any number of calls on one repository: each rule gets a construct id of its own. Every event pattern
obeys EventBridge's pattern rules (no empty arrays, leaves are arrays, ``$or`` only with two or more
members); ``tests/registry/test_event_patterns.py`` checks them against an emulator's ``TestEventPattern``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from ecr_patterns.constructs._checks import check_sequence
from ecr_patterns.core.errors import Code, Problems

SEVERITIES = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
"""Severities in increasing order; basic scans also report UNDEFINED, which is never matched."""


def _at_least(min_severity: object, problems: Problems) -> list[str]:
    if not isinstance(min_severity, str) or min_severity not in SEVERITIES:
        problems.add("min_severity", min_severity, f"use one of {', '.join(SEVERITIES)}", code=Code.EVENTS_ARGUMENT)
        return []
    return list(SEVERITIES[SEVERITIES.index(min_severity) :])


def _check_repository(repository: object, problems: Problems) -> None:
    if not hasattr(repository, "repository_name") or not hasattr(repository, "node"):
        problems.add(
            "repository",
            type(repository).__name__,
            "give an aws_ecr repository (ours, aws_ecr.Repository or an imported one)",
            code=Code.EVENTS_ARGUMENT,
        )


def _context(repository: object) -> Callable[[], str]:
    node = getattr(repository, "node", None)
    return lambda: str(node.path) if node is not None else "notify"


def _unique_id(scope: Construct, base: str) -> str:
    """``base``, or ``base2``, ``base3``... : the first id not yet taken under ``scope``."""
    candidate, n = base, 1
    while scope.node.try_find_child(candidate) is not None:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def severity_counts_pattern(severities: Sequence[str]) -> dict[str, Any]:
    """The ``detail`` fragment matching a basic scan with a non-zero count for one of ``severities``.

    EventBridge refuses an ``$or`` with fewer than two members ("There must have at least 2 Objects in $or
    relationship", aws/event-ruler), so one severity is matched directly."""
    clauses = [{"finding-severity-counts": {s: [{"numeric": [">", 0]}]}} for s in severities]
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def notify_on_scan_findings(
    repository: ecr.IRepository, topic: sns.ITopic, *, min_severity: str = "HIGH"
) -> list[events.Rule]:
    """Send scan results with a finding of ``min_severity`` or worse to ``topic``.

    Two EventBridge rules: basic scans ("ECR Image Scan" with a non-zero count for one of the
    severities) and enhanced scans (Amazon Inspector "Inspector2 Finding" on this repository).

    :param min_severity: default ``"HIGH"`` (HIGH and CRITICAL).
    """
    problems = Problems()
    _check_repository(repository, problems)
    if not hasattr(topic, "topic_arn"):
        problems.add(
            "topic",
            type(topic).__name__,
            "give an sns.ITopic (sns.Topic or an imported topic)",
            code=Code.EVENTS_ARGUMENT,
        )
    severities = _at_least(min_severity, problems)
    problems.raise_if_any(context=_context(repository))
    scope: Construct = repository  # type: ignore[assignment]
    label = min_severity.title()
    basic = events.Rule(
        scope,
        _unique_id(scope, f"ScanFindings{label}"),
        description=f"ECR basic scan of {repository.node.path} found {min_severity} or worse",
        event_pattern=events.EventPattern(
            source=["aws.ecr"],
            detail_type=["ECR Image Scan"],
            detail={
                "repository-name": [repository.repository_name],
                "scan-status": ["COMPLETE"],
                **severity_counts_pattern(severities),
            },
        ),
        targets=[targets.SnsTopic(topic)],
    )
    enhanced = events.Rule(
        scope,
        _unique_id(scope, f"InspectorFindings{label}"),
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
    """Send every successful push (of a tag starting with one of ``tag_prefixes``) to ``target``.

    :param tag_prefixes: default ``None``: every push.
    """
    problems = Problems()
    _check_repository(repository, problems)
    if not hasattr(target, "bind"):
        problems.add(
            "target",
            type(target).__name__,
            "give an events.IRuleTarget, e.g. aws_events_targets.SnsTopic(topic)",
            code=Code.EVENTS_ARGUMENT,
        )
    # A string is a sequence of letters: never split it into one-letter prefixes.
    prefixes = check_sequence(
        problems, "tag_prefixes", tag_prefixes, str, "tag prefix strings", code=Code.EVENTS_ARGUMENT
    )
    if prefixes is not None and (not prefixes or not all(prefixes)):
        problems.add(
            "tag_prefixes", prefixes, "give non-empty prefixes, or None for every push", code=Code.EVENTS_ARGUMENT
        )
    problems.raise_if_any(context=_context(repository))
    detail: dict[str, object] = {
        "action-type": ["PUSH"],
        "result": ["SUCCESS"],
        "repository-name": [repository.repository_name],
    }
    if tag_prefixes is not None:
        detail["image-tag"] = [{"prefix": p} for p in tag_prefixes]
    scope: Construct = repository  # type: ignore[assignment]
    base = "ImagePushed" if tag_prefixes is None else "ImagePushed" + "".join(p.title() for p in tag_prefixes)[:40]
    return events.Rule(
        scope,
        _unique_id(scope, base),
        description=f"Successful pushes to {repository.node.path}",
        event_pattern=events.EventPattern(source=["aws.ecr"], detail_type=["ECR Image Action"], detail=detail),
        targets=[target],
    )
