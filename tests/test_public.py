"""SecurePublicRepository: catalog data in CloudFormation's shape, the tags Security Hub ECR.4 asks for, a push
policy naming only the publishers, RETAIN, us-east-1 only, and every bad input refused at once (limits from ECR
Public's API model, botocore's ecr-public RepositoryCatalogDataInput)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from ecr_patterns import SecurePublicRepository, ValidationError
from ecr_patterns.constructs import public as limits

US_EAST_1 = cdk.Environment(account="111111111111", region="us-east-1")
GOOD: dict[str, Any] = {"repository_name": "tools/cli", "description": "A CLI", "tags": {"team": "platform"}}


@pytest.fixture
def us_stack(app: cdk.App) -> cdk.Stack:
    return cdk.Stack(app, "Public", env=US_EAST_1)


def test_catalog_data_tags_and_retain_are_written_as_cloudformation_expects(us_stack: cdk.Stack) -> None:
    SecurePublicRepository(
        us_stack,
        "Cli",
        **GOOD,
        about_text="# About",
        usage_text="`docker pull`",
        architectures=["x86-64", "ARM 64"],
        operating_systems=["Linux"],
    )
    template = Template.from_stack(us_stack)
    template.has_resource(
        "AWS::ECR::PublicRepository",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "RepositoryName": "tools/cli",
                # CloudFormation's own names (the L1 types this property as JSON, so nothing converts them).
                "RepositoryCatalogData": {
                    "RepositoryDescription": "A CLI",
                    "AboutText": "# About",
                    "UsageText": "`docker pull`",
                    "Architectures": ["x86-64", "ARM 64"],
                    "OperatingSystems": ["Linux"],
                },
                "Tags": [{"Key": "team", "Value": "platform"}],
            },
        },
    )
    (resource,) = template.find_resources("AWS::ECR::PublicRepository").values()
    assert "RepositoryPolicyText" not in resource["Properties"]
    # aws-cdk-lib's template validation would warn about unknown keys; nothing is warned.
    assert Annotations.from_stack(us_stack).find_warning("*", Match.any_value()) == []


def test_only_the_given_principals_may_push(us_stack: cdk.Stack) -> None:
    SecurePublicRepository(us_stack, "Cli", **GOOD, push_principals=[iam.AccountPrincipal("222222222222")])
    (resource,) = Template.from_stack(us_stack).find_resources("AWS::ECR::PublicRepository").values()
    (statement,) = resource["Properties"]["RepositoryPolicyText"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == list(limits.PUSH_ACTIONS)
    assert statement["Principal"]["AWS"]["Fn::Join"][1][2] == ":iam::222222222222:root"


@pytest.mark.parametrize("everyone", [iam.AnyPrincipal(), iam.StarPrincipal(), iam.ArnPrincipal("*")])
def test_a_star_push_principal_is_refused(us_stack: cdk.Stack, everyone: iam.IPrincipal) -> None:
    with pytest.raises(ValidationError) as err:
        SecurePublicRepository(us_stack, "Cli", **GOOD, push_principals=[everyone])
    assert [v.code for v in err.value.violations] == ["public.argument"]


def test_grant_push_gives_login_and_the_push_actions_on_this_repository(us_stack: cdk.Stack) -> None:
    repository = SecurePublicRepository(us_stack, "Cli", **GOOD)
    role = iam.Role(us_stack, "Release", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    repository.grant_push(role)
    (policy,) = Template.from_stack(us_stack).find_resources("AWS::IAM::Policy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statements[0]["Action"] == list(limits.PUSH_ACTIONS)
    (repository_id,) = Template.from_stack(us_stack).find_resources("AWS::ECR::PublicRepository")
    assert statements[0]["Resource"] == {"Fn::GetAtt": [repository_id, "Arn"]}
    assert statements[1] == {"Action": list(limits.LOGIN_ACTIONS), "Effect": "Allow", "Resource": "*"}


def test_a_public_repository_outside_us_east_1_fails_at_once(app: cdk.App) -> None:
    stack = cdk.Stack(app, "Elsewhere", env=cdk.Environment(region="eu-west-1"))
    with pytest.raises(ValidationError) as err:
        SecurePublicRepository(stack, "Cli", **GOOD)
    assert [(v.code, v.value) for v in err.value.violations] == [("public.region", "eu-west-1")]


def test_an_environment_agnostic_stack_is_warned_about_the_region(stack: cdk.Stack) -> None:
    SecurePublicRepository(stack, "Cli", **GOOD)
    Annotations.from_stack(stack).has_warning("*", Match.string_like_regexp("us-east-1 only"))


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"repository_name": "Tools"}, ["repository_name"]),
        ({"repository_name": "a"}, ["repository_name"]),
        ({"repository_name": "a" * 206}, ["repository_name"]),
        ({"description": ""}, ["description"]),
        ({"description": "d" * 1025}, ["description"]),
        ({"about_text": "a" * 25601}, ["about_text"]),
        ({"usage_text": "u" * 25601}, ["usage_text"]),
        ({"architectures": ["arm64"]}, ["architectures"]),
        ({"architectures": ["ARM", "ARM"]}, ["architectures"]),
        ({"operating_systems": ["linux"]}, ["operating_systems"]),
        ({"tags": {}}, ["tags"]),
        ({"tags": {"aws:owner": "x"}}, ["tags"]),
        ({"tags": {"k" * 129: "x"}}, ["tags"]),
        ({"tags": {"k": "v" * 257}}, ["tags"]),
        ({"tags": {f"k{i}": "v" for i in range(201)}}, ["tags"]),
        (
            {"repository_name": "UPPER", "description": "", "architectures": ["amd64"]},
            ["repository_name", "description", "architectures"],
        ),
    ],
)
def test_bad_catalog_data_fails_at_once_with_every_problem(
    us_stack: cdk.Stack, changes: dict[str, Any], fields: list[str]
) -> None:
    with pytest.raises(ValidationError) as err:
        SecurePublicRepository(us_stack, "Cli", **{**GOOD, **changes})
    assert [v.field for v in err.value.violations] == fields


def test_the_limits_are_those_of_ecr_publics_api_model() -> None:
    model = botocore.session.get_session().get_service_model("ecr-public")
    catalog = model.shape_for("RepositoryCatalogDataInput").members
    assert catalog["description"].metadata["max"] == limits.MAX_DESCRIPTION
    assert catalog["aboutText"].metadata["max"] == catalog["usageText"].metadata["max"] == limits.MAX_TEXT
    assert catalog["architectures"].metadata["max"] == catalog["operatingSystems"].metadata["max"] == limits.MAX_BADGES
    # The Gallery's badges, as the model's documentation lists them.
    for value in limits.ARCHITECTURES:
        assert f"<code>{value}</code>" in catalog["architectures"].documentation
    for value in limits.OPERATING_SYSTEMS:
        assert f"<code>{value}</code>" in catalog["operatingSystems"].documentation
    name = model.shape_for("RepositoryName").metadata
    assert (name["min"], name["max"], f"^{name['pattern']}$") == (2, 205, limits.NAME.pattern)
    assert model.shape_for("TagList").metadata["max"] == limits.MAX_TAGS


def test_destroy_is_warned(us_stack: cdk.Stack) -> None:
    SecurePublicRepository(us_stack, "Cli", **GOOD, removal_policy=cdk.RemovalPolicy.DESTROY)
    Annotations.from_stack(us_stack).has_warning("*", Match.string_like_regexp("overrides the secure default RETAIN"))
    Template.from_stack(us_stack).has_resource("AWS::ECR::PublicRepository", {"DeletionPolicy": "Delete"})


def test_stack_tags_are_added_to_the_repositorys_own(us_stack: cdk.Stack) -> None:
    SecurePublicRepository(us_stack, "Cli", **GOOD)
    cdk.Tags.of(us_stack).add("owner", "platform")
    (resource,) = Template.from_stack(us_stack).find_resources("AWS::ECR::PublicRepository").values()
    assert resource["Properties"]["Tags"] == [
        {"Key": "owner", "Value": "platform"},
        {"Key": "team", "Value": "platform"},
    ]


def test_a_repository_left_without_tags_at_synth_fails_security_hub_ecr_4(us_stack: cdk.Stack) -> None:
    # Tags removed after the constructor (an Aspect at synth) are caught by the synth-time check.
    repository = SecurePublicRepository(us_stack, "Cli", **GOOD)
    cdk.Tags.of(repository).remove("team")
    with pytest.raises(RuntimeError, match=r"public\.catalog.*Security Hub ECR\.4"):
        Template.from_stack(us_stack)
