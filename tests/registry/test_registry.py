"""Registry-level constructs: every resource, each default, each validation."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk.assertions import Annotations, Match, Template

from ecr_patterns import SecureRepository, ValidationError
from ecr_patterns import lifecycle as lc
from ecr_patterns.registry import (
    AppliedFor,
    PullThroughCache,
    RegistryPolicy,
    RegistryReplication,
    RegistryScanning,
    ReplicationDestination,
    ReplicationRule,
    RepositoryCreationTemplate,
    ScanFrequency,
    ScanRule,
    ScanType,
    UpstreamRegistry,
    notify_on_image_push,
    replication_policy_statement,
)


def env_stack(app: cdk.App, name: str = "S", region: str = "us-east-1", account: str = "111111111111") -> cdk.Stack:
    return cdk.Stack(app, name, env=cdk.Environment(account=account, region=region))


# -- replication ---------------------------------------------------------------------------


def test_replication_renders_rules_destinations_and_prefix_filters(stack: cdk.Stack) -> None:
    RegistryReplication(
        stack,
        "R",
        rules=[
            ReplicationRule(
                destinations=[ReplicationDestination("eu-west-1", "222222222222"), ReplicationDestination("us-west-2")],
                repository_prefixes=["prod/"],
            )
        ],
    )
    (resource,) = Template.from_stack(stack).find_resources("AWS::ECR::ReplicationConfiguration").values()
    (rule,) = resource["Properties"]["ReplicationConfiguration"]["Rules"]
    assert rule["RepositoryFilters"] == [{"Filter": "prod/", "FilterType": "PREFIX_MATCH"}]
    assert rule["Destinations"][0] == {"Region": "eu-west-1", "RegistryId": "222222222222"}
    assert rule["Destinations"][1]["Region"] == "us-west-2"
    assert rule["Destinations"][1]["RegistryId"] == {"Ref": "AWS::AccountId"}


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([], "at least one ReplicationRule"),
        ([ReplicationRule(destinations=[])], "at least one destination"),
        ([ReplicationRule([ReplicationDestination("mars-1")])], "region name"),
        ([ReplicationRule([ReplicationDestination("eu-west-1", "12345")])], "12 digits"),
        ([ReplicationRule([ReplicationDestination("eu-west-1")])] * 11, "at most 10"),
        ([ReplicationRule([ReplicationDestination("eu-west-1")], ["p"] * 101)], "at most 100"),
        (
            [ReplicationRule([ReplicationDestination(f"eu-west-{i % 3 + 1}", f"{i:012d}") for i in range(26)])],
            "at most 25",
        ),
    ],
)
def test_replication_fails_on_bad_input(stack: cdk.Stack, rules: list[ReplicationRule], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RegistryReplication(stack, "R", rules=rules)


def test_replication_refuses_to_replicate_to_itself(app: cdk.App) -> None:
    stack = env_stack(app)
    with pytest.raises(ValidationError, match="cannot replicate to itself"):
        RegistryReplication(stack, "R", rules=[ReplicationRule([ReplicationDestination("us-east-1", "111111111111")])])
    RegistryReplication(
        env_stack(app, "Other"), "R", rules=[ReplicationRule([ReplicationDestination("us-east-1", "222222222222")])]
    )


def test_replication_policy_statement_lets_the_source_account_replicate(stack: cdk.Stack) -> None:
    RegistryPolicy(stack, "P", statements=[replication_policy_statement("222222222222")])
    (resource,) = Template.from_stack(stack).find_resources("AWS::ECR::RegistryPolicy").values()
    (statement,) = resource["Properties"]["PolicyText"]["Statement"]
    assert statement["Action"] == ["ecr:CreateRepository", "ecr:ReplicateImage"]
    assert ":iam::222222222222:root" in json.dumps(statement["Principal"])
    assert ":repository/*" in json.dumps(statement["Resource"])


# -- one configuration per account and region ------------------------------------------------


def test_two_configurations_for_one_environment_fail(app: cdk.App) -> None:
    rules = [ReplicationRule([ReplicationDestination("eu-west-1", "222222222222")])]
    RegistryReplication(cdk.Stack(app, "A"), "R", rules=rules)
    with pytest.raises(ValidationError, match="one replication configuration per account and region"):
        RegistryReplication(cdk.Stack(app, "B"), "R", rules=rules)
    RegistryScanning(cdk.Stack(app, "C"), "S")
    with pytest.raises(ValidationError, match="one registry scanning configuration"):
        RegistryScanning(cdk.Stack(app, "D"), "S")


def test_configurations_for_different_regions_are_fine(app: cdk.App) -> None:
    RegistryScanning(env_stack(app, "East", "us-east-1"), "S")
    RegistryScanning(env_stack(app, "West", "us-west-2"), "S")
    RegistryPolicy(env_stack(app, "P1", "us-east-1"), "P", statements=[replication_policy_statement("222222222222")])
    with pytest.raises(ValidationError, match="one registry policy"):
        RegistryPolicy(
            env_stack(app, "P2", "us-east-1"), "P", statements=[replication_policy_statement("222222222222")]
        )


# -- pull-through cache --------------------------------------------------------------------------


def test_pull_through_cache_for_docker_hub_uses_the_secret(stack: cdk.Stack) -> None:
    secret = secretsmanager.Secret(stack, "Token", secret_name="ecr-pullthroughcache/docker-hub")
    PullThroughCache(
        stack, "C", ecr_repository_prefix="docker-hub", upstream=UpstreamRegistry.DOCKER_HUB, credential=secret
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::PullThroughCacheRule",
        {
            "EcrRepositoryPrefix": "docker-hub",
            "UpstreamRegistry": "docker-hub",
            "UpstreamRegistryUrl": "registry-1.docker.io",
            "CredentialArn": {"Ref": Match.string_like_regexp("Token.*")},
        },
    )


def test_pull_through_cache_for_ecr_public_needs_no_credential(stack: cdk.Stack) -> None:
    PullThroughCache(stack, "C", ecr_repository_prefix="ecr-public", upstream=UpstreamRegistry.ECR_PUBLIC)
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::PullThroughCacheRule",
        {"UpstreamRegistry": "ecr-public", "UpstreamRegistryUrl": "public.ecr.aws", "CredentialArn": Match.absent()},
    )


def test_pull_through_cache_validation(stack: cdk.Stack) -> None:
    good = secretsmanager.Secret.from_secret_name_v2(stack, "Good", "ecr-pullthroughcache/ghcr")
    bad = secretsmanager.Secret.from_secret_name_v2(stack, "Bad", "github-token")
    with pytest.raises(ValidationError, match="needs a Secrets Manager secret"):
        PullThroughCache(stack, "A", ecr_repository_prefix="ghcr", upstream=UpstreamRegistry.GITHUB)
    with pytest.raises(ValidationError, match="ecr-pullthroughcache/"):
        PullThroughCache(stack, "B", ecr_repository_prefix="ghcr2", upstream=UpstreamRegistry.GITHUB, credential=bad)
    with pytest.raises(ValidationError, match="takes no credential"):
        PullThroughCache(stack, "C", ecr_repository_prefix="k8s", upstream=UpstreamRegistry.KUBERNETES, credential=good)
    with pytest.raises(ValidationError, match="needs the registry's URL"):
        PullThroughCache(stack, "D", ecr_repository_prefix="acr", upstream=UpstreamRegistry.AZURE, credential=good)
    with pytest.raises(ValidationError, match="ecr_repository_prefix"):
        PullThroughCache(stack, "E", ecr_repository_prefix="Docker_Hub!", upstream=UpstreamRegistry.ECR_PUBLIC)
    with pytest.raises(ValidationError, match="role ECR assumes"):
        PullThroughCache(
            stack,
            "F",
            ecr_repository_prefix="other",
            upstream=UpstreamRegistry.ECR,
            upstream_registry_url="222222222222.dkr.ecr.us-east-1.amazonaws.com",
        )
    PullThroughCache(stack, "G", ecr_repository_prefix="ghcr", upstream=UpstreamRegistry.GITHUB, credential=good)
    with pytest.raises(ValidationError, match="prefix ghcr"):
        PullThroughCache(stack, "H", ecr_repository_prefix="ghcr", upstream=UpstreamRegistry.GITHUB, credential=good)


def test_pull_through_grant_is_scoped_to_the_prefix(stack: cdk.Stack) -> None:
    cache = PullThroughCache(stack, "C", ecr_repository_prefix="ecr-public", upstream=UpstreamRegistry.ECR_PUBLIC)
    role = iam.Role(stack, "Role", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
    cache.grant_pull_through(role)
    (policy,) = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    scoped = next(s for s in statements if "ecr:BatchImportUpstreamImage" in s["Action"])
    assert "ecr:CreateRepository" in scoped["Action"]
    assert ":repository/ecr-public/*" in json.dumps(scoped["Resource"])
    assert all("ecr:PutImage" not in s["Action"] for s in statements)


# -- scanning ---------------------------------------------------------------------------------


def test_scanning_defaults_to_basic_scan_on_push_of_everything(stack: cdk.Stack) -> None:
    RegistryScanning(stack, "S")
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::RegistryScanningConfiguration",
        {
            "ScanType": "BASIC",
            "Rules": [
                {"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}
            ],
        },
    )


def test_enhanced_scanning_with_continuous_and_push_rules(stack: cdk.Stack) -> None:
    RegistryScanning(
        stack,
        "S",
        scan_type=ScanType.ENHANCED,
        rules=[ScanRule(ScanFrequency.CONTINUOUS_SCAN, ["prod/*"]), ScanRule(ScanFrequency.SCAN_ON_PUSH)],
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::RegistryScanningConfiguration",
        {"ScanType": "ENHANCED", "Rules": Match.array_with([Match.object_like({"ScanFrequency": "CONTINUOUS_SCAN"})])},
    )


@pytest.mark.parametrize(
    ("scan_type", "rules", "message"),
    [
        (ScanType.BASIC, [ScanRule(ScanFrequency.CONTINUOUS_SCAN)], "BASIC scanning supports"),
        (ScanType.ENHANCED, [ScanRule(ScanFrequency.MANUAL)], "ENHANCED scanning supports"),
        (
            ScanType.BASIC,
            [ScanRule(ScanFrequency.SCAN_ON_PUSH), ScanRule(ScanFrequency.SCAN_ON_PUSH, ["a"])],
            "one rule per",
        ),
        (ScanType.BASIC, [ScanRule(ScanFrequency.SCAN_ON_PUSH, ["Prod/*"])], "lowercase"),
        (ScanType.BASIC, [ScanRule(ScanFrequency.SCAN_ON_PUSH, [])], "at least one filter"),
    ],
)
def test_scanning_validation(stack: cdk.Stack, scan_type: ScanType, rules: list[ScanRule], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RegistryScanning(stack, "S", scan_type=scan_type, rules=rules)


def test_manual_only_scanning_is_warned(stack: cdk.Stack) -> None:
    RegistryScanning(stack, "S", rules=[ScanRule(ScanFrequency.MANUAL)])
    Annotations.from_stack(stack).has_warning("/TestStack/S", Match.string_like_regexp(".*not scanned.*"))


# -- creation templates --------------------------------------------------------------------


def test_creation_template_has_the_secure_repository_defaults(stack: cdk.Stack) -> None:
    RepositoryCreationTemplate(stack, "T", prefix="ROOT")
    (resource,) = Template.from_stack(stack).find_resources("AWS::ECR::RepositoryCreationTemplate").values()
    props = resource["Properties"]
    assert props["AppliedFor"] == ["PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH"]
    assert props["ImageTagMutability"] == "IMMUTABLE"
    assert props["EncryptionConfiguration"] == {"EncryptionType": "KMS"}
    repo_stack = cdk.Stack(cdk.App(), "Repo")
    SecureRepository(repo_stack, "R")
    (repo,) = Template.from_stack(repo_stack).find_resources("AWS::ECR::Repository").values()
    assert json.loads(props["LifecyclePolicy"]) == json.loads(
        repo["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"]
    )


def test_creation_template_overrides_are_warned_and_rules_validated(stack: cdk.Stack) -> None:
    RepositoryCreationTemplate(
        stack,
        "T",
        prefix="team/",
        applied_for=[AppliedFor.CREATE_ON_PUSH],
        image_tag_mutability=ecr.TagMutability.MUTABLE,
        lifecycle_rules=[lc.keep_last_n_images(5)],
        resource_tags={"team": "a"},
        repository_policy=iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(actions=["ecr:BatchGetImage"], principals=[iam.AccountPrincipal("222222222222")])
            ]
        ),
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::RepositoryCreationTemplate",
        {
            "AppliedFor": ["CREATE_ON_PUSH"],
            "ImageTagMutability": "MUTABLE",
            "ResourceTags": [{"Key": "team", "Value": "a"}],
            "RepositoryPolicy": Match.any_value(),
        },
    )
    Annotations.from_stack(stack).has_warning("/TestStack/T", Match.string_like_regexp(".*secure default IMMUTABLE.*"))
    with pytest.raises(ValidationError, match="lifecycle_rules"):
        RepositoryCreationTemplate(
            stack, "Bad", prefix="other/", lifecycle_rules=[lc.keep_last_n_images(1), lc.keep_last_n_images(2)]
        )
    with pytest.raises(ValidationError, match="prefix"):
        RepositoryCreationTemplate(stack, "Worse", prefix="Not A Prefix")


# -- events ----------------------------------------------------------------------------------


def test_scan_findings_notify_for_basic_and_inspector_findings(stack: cdk.Stack) -> None:
    repo = SecureRepository(stack, "Repo")
    rules = repo.notify_on_scan_findings(sns.Topic(stack, "T"), min_severity="HIGH")
    assert len(rules) == 2
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.ecr"],
                "detail-type": ["ECR Image Scan"],
                "detail": Match.object_like(
                    {
                        "$or": [
                            {"finding-severity-counts": {"HIGH": [{"numeric": [">", 0]}]}},
                            {"finding-severity-counts": {"CRITICAL": [{"numeric": [">", 0]}]}},
                        ]
                    }
                ),
            },
            "Targets": [Match.object_like({"Arn": {"Ref": Match.string_like_regexp("T.*")}})],
        },
    )
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": Match.object_like(
                {"source": ["aws.inspector2"], "detail": Match.object_like({"severity": ["HIGH", "CRITICAL"]})}
            )
        },
    )


def test_scan_findings_severity_is_validated(stack: cdk.Stack) -> None:
    with pytest.raises(ValidationError, match="min_severity"):
        SecureRepository(stack, "Repo").notify_on_scan_findings(sns.Topic(stack, "T"), min_severity="SEVERE")


def test_image_push_notification_with_tag_prefixes(stack: cdk.Stack) -> None:
    repo = ecr.Repository(stack, "Repo")
    notify_on_image_push(repo, cdk.aws_events_targets.SnsTopic(sns.Topic(stack, "T")), tag_prefixes=["prod-"])
    Template.from_stack(stack).has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {
                "source": ["aws.ecr"],
                "detail-type": ["ECR Image Action"],
                "detail": Match.object_like(
                    {"action-type": ["PUSH"], "result": ["SUCCESS"], "image-tag": [{"prefix": "prod-"}]}
                ),
            }
        },
    )


def test_registry_constructs_list_every_problem_in_one_error_naming_their_path() -> None:
    from ecr_patterns.registry import RegistryScanning, ScanFrequency, ScanRule, ScanType

    stack = cdk.Stack(cdk.App(), "TestStack")
    with pytest.raises(ValidationError) as raised:
        RegistryScanning(
            stack,
            "Scanning",
            scan_type=ScanType.BASIC,
            rules=[ScanRule(ScanFrequency.CONTINUOUS_SCAN, ["UPPER", "ok-*"]), ScanRule(ScanFrequency.MANUAL, [])],
        )
    assert raised.value.context == "TestStack/Scanning"
    assert raised.value.codes == ["registry.scanning", "registry.filter", "registry.filter"]


def test_replication_lists_bad_regions_accounts_and_self_replication_together() -> None:
    from ecr_patterns.registry import RegistryReplication, ReplicationDestination, ReplicationRule

    stack = cdk.Stack(cdk.App(), "TestStack", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    with pytest.raises(ValidationError) as raised:
        RegistryReplication(
            stack,
            "Replication",
            rules=[
                ReplicationRule(
                    destinations=[
                        ReplicationDestination("nowhere", account="123"),
                        ReplicationDestination("eu-west-1", account="111111111111"),
                    ]
                )
            ],
        )
    assert raised.value.context == "TestStack/Replication"
    assert raised.value.codes == ["registry.region", "registry.account", "registry.destination"]


def test_pull_through_cache_lists_a_bad_prefix_and_a_missing_credential_together() -> None:
    from ecr_patterns.registry import PullThroughCache, UpstreamRegistry

    stack = cdk.Stack(cdk.App(), "TestStack")
    with pytest.raises(ValidationError) as raised:
        PullThroughCache(stack, "Cache", ecr_repository_prefix="X", upstream=UpstreamRegistry.DOCKER_HUB)
    assert raised.value.context == "TestStack/Cache"
    assert raised.value.codes == ["registry.prefix", "registry.upstream"]
