"""Every event pattern the notifications write obeys EventBridge's pattern rules and matches the events it
is meant for, judged by EventBridge's own TestEventPattern API as MiniStack answers it (it enforces the rules of
aws/event-ruler, such as refusing an $or of fewer than two members); MiniStack runs on 127.0.0.1,
started here from its own environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import boto3
import pytest
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Template
from botocore.config import Config
from botocore.exceptions import ClientError

from ecr_patterns import SecureRepository
from ecr_patterns.constructs.registry.events import SEVERITIES
from integ.emulator.launcher import Emulator

pytestmark = pytest.mark.slow
MINISTACK = Path(__file__).resolve().parents[2] / ".tools" / "ministack" / "bin" / "python"


@pytest.fixture(scope="module")
def eventbridge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not MINISTACK.exists():
        pytest.fail(f"{MINISTACK} is missing: run `make setup` (it builds MiniStack's environment)")
    server = Emulator.start_ministack(MINISTACK, tmp_path_factory.mktemp("ministack") / "ministack.log")
    try:
        yield boto3.client(
            "events",
            endpoint_url=f"http://127.0.0.1:{server.port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"max_attempts": 1}),
        )
    finally:
        server.stop()


def matches(eventbridge: Any, pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    full = {
        "id": "1",
        "account": "111111111111",
        "time": "2026-12-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "version": "0",
        **event,
    }
    return bool(eventbridge.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(full))["Result"])


def patterns(build: Any) -> list[dict[str, Any]]:
    stack = cdk.Stack(cdk.App(), "S")
    build(stack, SecureRepository(stack, "Repo", repository_name="team/api"), sns.Topic(stack, "T"))
    rules = Template.from_stack(stack).find_resources("AWS::Events::Rule")
    # The repository name is a Ref to the repository; CloudFormation resolves it to the name given.
    text = json.dumps([r["Properties"]["EventPattern"] for r in rules.values()])
    resource = stack.node.find_child("Repo").node.default_child
    assert isinstance(resource, cdk.CfnElement)
    ref = json.dumps({"Ref": stack.resolve(resource.logical_id)})
    return list(json.loads(text.replace(ref, json.dumps("team/api"))))


def scan_event(counts: dict[str, int]) -> dict[str, Any]:
    return {
        "source": "aws.ecr",
        "detail-type": "ECR Image Scan",
        "detail": {"repository-name": "team/api", "scan-status": "COMPLETE", "finding-severity-counts": counts},
    }


def test_the_matcher_really_refuses_a_single_member_or(eventbridge: Any) -> None:
    # The rule the old CRITICAL pattern broke: shown here, so the tests below can fail for that reason.
    # (MiniStack refuses a one-member $or with "Unrecognized match type ...", event-ruler with "There must
    # have at least 2 Objects in $or relationship"; both refuse it.)
    bad = {"detail": {"$or": [{"finding-severity-counts": {"CRITICAL": [{"numeric": [">", 0]}]}}]}}
    with pytest.raises(ClientError, match="InvalidEventPatternException"):
        matches(eventbridge, bad, scan_event({"CRITICAL": 1}))
    top_level = {"$or": [{"source": ["aws.ecr"]}]}
    with pytest.raises(ClientError, match="InvalidEventPatternException"):
        matches(eventbridge, top_level, scan_event({"CRITICAL": 1}))


@pytest.mark.parametrize("severity", SEVERITIES)
def test_scan_finding_patterns_are_valid_and_match_exactly_the_severities_asked_for(
    eventbridge: Any, severity: str
) -> None:
    basic, inspector = patterns(lambda s, repo, topic: repo.notify_on_scan_findings(topic, min_severity=severity))
    wanted = set(SEVERITIES[SEVERITIES.index(severity) :])
    for each in SEVERITIES:
        assert matches(eventbridge, basic, scan_event({each: 2})) is (each in wanted), each
    assert not matches(eventbridge, basic, scan_event({}))
    assert not matches(eventbridge, basic, {**scan_event({severity: 1}), "detail-type": "ECR Image Action"})
    finding: dict[str, Any] = {
        "source": "aws.inspector2",
        "detail-type": "Inspector2 Finding",
        "detail": {
            "severity": severity,
            "status": "ACTIVE",
            "resources": [{"details": {"awsEcrContainerImage": {"repositoryName": "team/api"}}}],
        },
    }
    assert matches(eventbridge, inspector, finding)
    assert not matches(eventbridge, inspector, {**finding, "detail": {**finding["detail"], "status": "CLOSED"}})


@pytest.mark.parametrize("prefixes", [None, ["prod-"], ["prod-", "release-"]])
def test_push_patterns_are_valid_and_match_successful_pushes_of_the_prefixes(
    eventbridge: Any, prefixes: list[str] | None
) -> None:
    (pattern,) = patterns(
        lambda s, repo, topic: repo.notify_on_image_push(cdk.aws_events_targets.SnsTopic(topic), tag_prefixes=prefixes)
    )

    def push(tag: str, result: str = "SUCCESS") -> dict[str, Any]:
        detail = {"action-type": "PUSH", "result": result, "repository-name": "team/api", "image-tag": tag}
        return {"source": "aws.ecr", "detail-type": "ECR Image Action", "detail": detail}

    assert matches(eventbridge, pattern, push("prod-1.2"))
    assert not matches(eventbridge, pattern, push("prod-1.2", result="FAILURE"))
    assert matches(eventbridge, pattern, push("dev-7")) is (prefixes is None)
