"""Every public method and property of aws_ecr.Repository works on our three classes, in the same
Python call forms as on the plain L2, and writes the same template fragment."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Match, Template

from ecr_patterns import DevRepository, ProdRepository, SecureRepository, ValidationError
from ecr_patterns import lifecycle as lc

REPO = "AWS::ECR::Repository"
CLASSES = [ecr.Repository, SecureRepository, DevRepository, ProdRepository]
OURS = CLASSES[1:]


def new_stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "TestStack", env=cdk.Environment(account="111111111111", region="eu-west-1"))


def repository_of(template: Template) -> Mapping[str, Any]:
    (repo,) = template.find_resources(REPO).values()
    return repo


def role(stack: cdk.Stack) -> iam.Role:
    return iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))


# Each case: a call on a repository, and what it must render (checked on the template or the return value).
Call = Callable[[cdk.Stack, ecr.Repository], Any]
Check = Callable[[Template, Any], None]


def _grant_check(*actions: str) -> Check:
    def check(template: Template, result: Any) -> None:
        assert isinstance(result, iam.Grant)
        assert result.success
        statements = [
            st
            for p in template.find_resources("AWS::IAM::Policy").values()
            for st in p["Properties"]["PolicyDocument"]["Statement"]
        ]
        granted = {a for st in statements for a in (st["Action"] if isinstance(st["Action"], list) else [st["Action"]])}
        assert set(actions) <= granted

    return check


def _rule_check(template: Template, result: Any) -> None:
    assert isinstance(result, events.Rule)
    template.has_resource_properties("AWS::Events::Rule", {"EventPattern": Match.object_like({"source": ["aws.ecr"]})})


def _uri_check(expected: str) -> Check:
    def check(template: Template, result: Any) -> None:
        assert isinstance(result, str)
        assert expected in json.dumps(cdk.Stack.of(_last_repo[0]).resolve(result))

    return check


def _policy_check(template: Template, result: Any) -> None:
    assert result.statement_added is True
    template.has_resource_properties(
        REPO, {"RepositoryPolicyText": {"Statement": [Match.object_like({"Action": "ecr:BatchGetImage"})]}}
    )


_last_repo: list[ecr.Repository] = []

CASES: dict[str, tuple[Call, Check]] = {
    "add_lifecycle_rule(max_image_count=5)": (
        lambda s, r: r.add_lifecycle_rule(max_image_count=5),
        lambda t, _: _assert_rules(t, [{"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5}]),
    ),
    "add_lifecycle_rule(tag_status=UNTAGGED, max_image_age=days(3))": (
        lambda s, r: r.add_lifecycle_rule(tag_status=ecr.TagStatus.UNTAGGED, max_image_age=cdk.Duration.days(3)),
        lambda t, _: _assert_rules(
            t, [{"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 3}]
        ),
    ),
    "add_lifecycle_rule(tag_prefix_list=..., max_image_count=..., rule_priority=...)": (
        lambda s, r: r.add_lifecycle_rule(tag_prefix_list=["prod"], max_image_count=9, rule_priority=4),
        lambda t, _: _assert_rules(
            t, [{"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan", "countNumber": 9}]
        ),
    ),
    "grant(grantee, *actions)": (
        lambda s, r: r.grant(role(s), "ecr:DescribeImages"),
        _grant_check("ecr:DescribeImages"),
    ),
    "grant_pull": (lambda s, r: r.grant_pull(role(s)), _grant_check("ecr:BatchGetImage", "ecr:GetAuthorizationToken")),
    "grant_push": (lambda s, r: r.grant_push(role(s)), _grant_check("ecr:PutImage")),
    "grant_pull_push": (lambda s, r: r.grant_pull_push(role(s)), _grant_check("ecr:BatchGetImage", "ecr:PutImage")),
    "grant_read": (lambda s, r: r.grant_read(role(s)), _grant_check("ecr:DescribeImages")),
    "add_to_resource_policy": (
        lambda s, r: r.add_to_resource_policy(
            iam.PolicyStatement(actions=["ecr:BatchGetImage"], principals=[iam.AccountPrincipal("222222222222")])
        ),
        _policy_check,
    ),
    "on_event": (lambda s, r: r.on_event("OnEvent"), _rule_check),
    "on_cloud_trail_event": (lambda s, r: r.on_cloud_trail_event("Trail"), _rule_check),
    "on_cloud_trail_image_pushed": (lambda s, r: r.on_cloud_trail_image_pushed("Pushed", image_tag="v1"), _rule_check),
    "on_image_scan_completed": (lambda s, r: r.on_image_scan_completed("Scanned", image_tags=["v1"]), _rule_check),
    "repository_uri_for_tag": (lambda s, r: r.repository_uri_for_tag("v1"), _uri_check(":v1")),
    "repository_uri_for_digest": (lambda s, r: r.repository_uri_for_digest("sha256:abc"), _uri_check("@sha256:abc")),
    "repository_uri_for_tag_or_digest": (
        lambda s, r: r.repository_uri_for_tag_or_digest("v2"),
        _uri_check(":v2"),
    ),
    "repository_uri": (lambda s, r: r.repository_uri, _uri_check(".dkr.ecr.")),
    "registry_uri": (lambda s, r: r.registry_uri, _uri_check(".dkr.ecr.")),
    "repository_arn": (lambda s, r: r.repository_arn, _uri_check("Arn")),
    "repository_name": (lambda s, r: r.repository_name, _uri_check("Ref")),
    "apply_removal_policy(DESTROY)": (
        lambda s, r: r.apply_removal_policy(cdk.RemovalPolicy.DESTROY),
        lambda t, _: t.has_resource(REPO, {"DeletionPolicy": "Delete"}),
    ),
}


def _assert_rules(template: Template, selections: list[dict[str, Any]]) -> None:
    text = repository_of(template)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    assert [r["selection"] for r in json.loads(text)["rules"]] == selections  # the user rule replaced the default


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_every_repository_method_works_on_every_class_in_its_python_form(cls: type, case: str) -> None:
    stack = new_stack()
    kwargs = {"allow_destroy": True} if cls is ProdRepository and "apply_removal_policy" in case else {}
    repo = cls(stack, "Repo", **kwargs)
    _last_repo[:] = [repo]
    call, check = CASES[case]
    result = call(stack, repo)
    check(Template.from_stack(stack), result)


@pytest.mark.parametrize(
    "importer",
    [
        lambda s, cls: cls.from_repository_name(s, "Imported", "team/app"),
        lambda s, cls: cls.from_repository_arn(s, "Imported", "arn:aws:ecr:eu-west-1:111111111111:repository/team/app"),
        lambda s, cls: cls.from_repository_attributes(
            s,
            "Imported",
            repository_name="team/app",
            repository_arn="arn:aws:ecr:eu-west-1:111111111111:repository/team/app",
        ),
    ],
    ids=["from_repository_name", "from_repository_arn", "from_repository_attributes"],
)
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_static_importers_work_on_every_class(importer: Callable[[cdk.Stack, type], Any], cls: type) -> None:
    stack = new_stack()
    imported = importer(stack, cls)
    assert cdk.Stack.of(imported).resolve(imported.repository_name) == "team/app"
    imported.grant_pull(role(stack))  # aws-cdk's grant to a principal of this app still works on an import
    assert Template.from_stack(stack).find_resources(REPO) == {}


@pytest.mark.parametrize("cls", OURS, ids=lambda c: c.__name__)
def test_the_positional_lifecycle_rule_form_also_works_and_an_any_rule_replaces_the_default(cls: type) -> None:
    stack = new_stack()
    repo = cls(stack, "Repo")
    repo.add_lifecycle_rule(lc.keep_last_n_images(5))  # used to collide with the default's own any rule
    repo.add_lifecycle_rule(lc.delete_untagged_after_days(2))
    text = repository_of(Template.from_stack(stack))["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    rules = json.loads(text)["rules"]
    assert [(r["rulePriority"], r["selection"]["tagStatus"]) for r in rules] == [(1, "untagged"), (2, "any")]


@pytest.mark.parametrize("cls", OURS, ids=lambda c: c.__name__)
def test_fails_when_a_rule_and_keywords_are_given_together(cls: type) -> None:
    repo = cls(new_stack(), "Repo")
    with pytest.raises(ValidationError, match="not both") as raised:
        repo.add_lifecycle_rule(lc.keep_last_n_images(5), max_image_count=3)
    assert raised.value.codes == ["repository.arguments"]


@pytest.mark.parametrize("cls", OURS, ids=lambda c: c.__name__)
def test_rules_added_after_construction_replace_the_default_like_constructor_rules(cls: type) -> None:
    later, given = new_stack(), new_stack()
    cls(later, "Repo").add_lifecycle_rule(max_image_count=7)
    cls(given, "Repo", lifecycle_rules=[ecr.LifecycleRule(max_image_count=7)])
    assert (
        repository_of(Template.from_stack(later))["Properties"]["LifecyclePolicy"]
        == repository_of(Template.from_stack(given))["Properties"]["LifecyclePolicy"]
    )


@pytest.mark.parametrize("cls", OURS, ids=lambda c: c.__name__)
def test_fails_with_a_validation_error_naming_the_path_when_an_age_is_not_whole_days(cls: type) -> None:
    with pytest.raises(ValidationError, match=r"TestStack/Repo.*max_image_age='1 day 12 hours'") as raised:
        cls(new_stack(), "Repo", lifecycle_rules=[ecr.LifecycleRule(max_image_age=cdk.Duration.hours(36))])
    assert raised.value.codes == ["lifecycle.duration"]
    repo = cls(new_stack(), "Repo")
    with pytest.raises(ValidationError, match="whole days"):
        repo.add_lifecycle_rule(max_image_age=cdk.Duration.hours(36))


def test_the_notification_helpers_take_any_number_of_calls_on_one_repository() -> None:
    stack = new_stack()
    repo = SecureRepository(stack, "Repo")
    topic = sns.Topic(stack, "Topic")
    for _ in range(3):
        repo.notify_on_scan_findings(topic, min_severity="CRITICAL")
    repo.notify_on_scan_findings(topic)
    target = cdk.aws_events_targets.SnsTopic(topic)
    for _ in range(2):
        repo.notify_on_image_push(target)
    repo.notify_on_image_push(target, tag_prefixes=["prod-"])
    assert len(Template.from_stack(stack).find_resources("AWS::Events::Rule")) == 3 * 2 + 2 + 2 + 1
