"""SigningConfiguration: ECR managed signing rules, validated against the limits of ECR's API model
(PutSigningConfiguration in botocore's ecr model: 10 rules, 1-100 filters, the filter and profile ARN patterns),
one per registry, and the grant a CI principal needs to push images that ECR then signs."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import botocore.session
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk import aws_signer as signer
from aws_cdk.assertions import Match, Template

from ecr_patterns import SecureRepository, ValidationError
from ecr_patterns.constructs.registry import signing as limits
from ecr_patterns.registry import SigningConfiguration, SigningRule

PROFILE = "arn:aws:signer:eu-west-1:111111111111:/signing-profiles/ci_images"
ENV = cdk.Environment(account="111111111111", region="eu-west-1")


def test_rules_become_the_registry_signing_configuration(stack: cdk.Stack) -> None:
    profile = signer.SigningProfile(stack, "Profile", platform=signer.Platform.NOTATION_OCI_SHA384_ECDSA)
    SigningConfiguration(
        stack,
        "Signing",
        rules=[SigningRule(profile, repository_filters=["prod/*", "*-api"]), SigningRule(PROFILE)],
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::SigningConfiguration",
        {
            "Rules": [
                {
                    "SigningProfileArn": {"Fn::GetAtt": [Match.string_like_regexp("Profile"), "Arn"]},
                    "RepositoryFilters": [
                        {"Filter": "prod/*", "FilterType": "WILDCARD_MATCH"},
                        {"Filter": "*-api", "FilterType": "WILDCARD_MATCH"},
                    ],
                },
                {"SigningProfileArn": PROFILE},
            ]
        },
    )


def test_the_limits_are_those_of_ecrs_api_model() -> None:
    model = botocore.session.get_session().get_service_model("ecr")
    assert model.shape_for("SigningRuleList").metadata["max"] == limits.MAX_RULES
    filters = model.shape_for("SigningRepositoryFilterList").metadata
    assert (filters["min"], filters["max"]) == (1, limits.MAX_FILTERS)
    value = model.shape_for("SigningRepositoryFilterValue").metadata
    assert (value["max"], value["pattern"]) == (limits.MAX_FILTER_LENGTH, limits.FILTER.pattern)
    arn = model.shape_for("SigningProfileArn").metadata
    assert arn["max"] == limits.MAX_PROFILE_ARN
    assert arn["pattern"].replace("\\/", "/") == limits.PROFILE_ARN.pattern
    assert model.shape_for("SigningRepositoryFilterType").enum == ["WILDCARD_MATCH"]


@pytest.mark.parametrize(
    ("rules", "codes"),
    [
        ([], ["registry.argument"]),
        ([SigningRule(PROFILE)] * 11, ["registry.quota"]),
        ([SigningRule("arn:aws:signer:eu-west-1:111111111111:/signing-profiles/x")], ["registry.argument"]),
        ([SigningRule("arn:aws:iam::111111111111:role/ci")], ["registry.argument"]),
        ([SigningRule(PROFILE, repository_filters=[])], ["registry.filter"]),
        ([SigningRule(PROFILE, repository_filters=["Prod/*"])], ["registry.filter"]),
        ([SigningRule(PROFILE, repository_filters=["prod//x"])], ["registry.filter"]),
        ([SigningRule(PROFILE, repository_filters=["a" * 257])], ["registry.filter"]),
        ([SigningRule(PROFILE, repository_filters=["prod/*", "prod/*"])], ["registry.duplicate"]),
        ([SigningRule(PROFILE, repository_filters=[f"team{i}/*" for i in range(101)])], ["registry.quota"]),
        (["not a rule"], ["registry.argument"]),
    ],
)
def test_bad_rules_fail_at_once_with_every_problem(stack: cdk.Stack, rules: list[Any], codes: list[str]) -> None:
    with pytest.raises(ValidationError) as err:
        SigningConfiguration(stack, "Signing", rules=rules)
    assert [v.code for v in err.value.violations] == codes


def test_every_problem_of_every_rule_is_reported_together(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError) as err:
        SigningConfiguration(
            stack,
            "Signing",
            rules=[SigningRule("bad", repository_filters=["UPPER"]), SigningRule(PROFILE, repository_filters=[])],
        )
    assert [(v.field, v.code) for v in err.value.violations] == [
        ("rules[0].signing_profile", "registry.argument"),
        ("rules[0].repository_filters", "registry.filter"),
        ("rules[1].repository_filters", "registry.filter"),
    ]


def test_ten_rules_and_a_hundred_filters_are_within_the_limits(stack: cdk.Stack) -> None:
    rules = [SigningRule(PROFILE, repository_filters=[f"team{r}-{i}/*" for i in range(100)]) for r in range(10)]
    SigningConfiguration(stack, "Signing", rules=rules)
    Template.from_stack(stack).resource_count_is("AWS::ECR::SigningConfiguration", 1)


def test_one_signing_configuration_per_account_and_region(app: cdk.App) -> None:
    SigningConfiguration(cdk.Stack(app, "A", env=ENV), "Signing", rules=[SigningRule(PROFILE)])
    with pytest.raises(ValidationError, match="merge them into one construct"):
        SigningConfiguration(cdk.Stack(app, "B", env=ENV), "Signing", rules=[SigningRule(PROFILE)])


def test_grant_push_and_sign_gives_the_push_actions_and_sign_payload_on_the_profiles(stack: cdk.Stack) -> None:
    config = SigningConfiguration(stack, "Signing", rules=[SigningRule(PROFILE, repository_filters=["prod/*"])])
    repository = SecureRepository(stack, "Repo", repository_name="prod/api")
    ci = iam.Role(stack, "Ci", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    config.grant_push_and_sign(ci, repository)
    statements = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    (policy,) = statements.values()
    by_action = {str(s["Action"]): s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert by_action["signer:SignPayload"]["Resource"] == PROFILE
    pushes = [s for s in by_action.values() if isinstance(s["Action"], list) and "ecr:PutImage" in s["Action"]]
    # The User Guide's upload actions for the signature are all among them.
    assert {
        "ecr:CompleteLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:InitiateLayerUpload",
        "ecr:BatchCheckLayerAvailability",
        "ecr:PutImage",
    } <= set(pushes[0]["Action"])
