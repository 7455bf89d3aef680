"""Every registry-level construct of ecr-patterns, environment-agnostic."""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_signer as signer
from aws_cdk import aws_sns as sns
from constructs import Construct

from ecr_patterns import ProdRepository
from ecr_patterns.registry import (
    AppliedFor,
    PullThroughCache,
    PullTimeUpdateExclusions,
    RegistryKey,
    RegistryPolicy,
    RegistryReplication,
    RegistryScanning,
    ReplicationDestination,
    ReplicationRule,
    RepositoryCreationTemplate,
    ScanFrequency,
    ScanRule,
    ScanType,
    SigningConfiguration,
    SigningRule,
    UpstreamRegistry,
    replication_policy_statement,
)

DR_ACCOUNT = "333333333333"
SOURCE_ACCOUNT = "444444444444"


class RegistryStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)

        # Copy production images to a disaster-recovery account in two regions.
        RegistryReplication(
            self,
            "Replication",
            rules=[
                ReplicationRule(
                    destinations=[
                        ReplicationDestination(region="eu-west-1", account=DR_ACCOUNT),
                        ReplicationDestination(region="us-west-2", account=DR_ACCOUNT),
                    ],
                    repository_prefixes=["prod/"],
                )
            ],
        )

        # This registry accepts replication from the build account.
        RegistryPolicy(self, "Policy", statements=[replication_policy_statement(SOURCE_ACCOUNT)])

        # Cache Docker Hub (credentials required) and ECR Public (none).
        docker_hub = PullThroughCache(
            self,
            "DockerHub",
            ecr_repository_prefix="docker-hub",
            upstream=UpstreamRegistry.DOCKER_HUB,
            credential=secretsmanager.Secret.from_secret_name_v2(
                self, "DockerHubToken", "ecr-pullthroughcache/docker-hub"
            ),
        )
        PullThroughCache(self, "EcrPublic", ecr_repository_prefix="ecr-public", upstream=UpstreamRegistry.ECR_PUBLIC)
        builder = iam.Role(self, "Builder", assumed_by=iam.ServicePrincipal("codebuild.amazonaws.com"))
        docker_hub.grant_pull_through(builder)

        # A third-party scanner's pulls must not keep images looking in use: the archive rules count pulls.
        PullTimeUpdateExclusions(
            self,
            "PullTimeExclusions",
            principal_arns=[f"arn:{self.partition}:iam::{self.account}:role/third-party-scanner"],
        )

        # Enhanced (Inspector) scanning: on push for everything, continuously for production.
        RegistryScanning(
            self,
            "Scanning",
            scan_type=ScanType.ENHANCED,
            rules=[
                ScanRule(ScanFrequency.CONTINUOUS_SCAN, ["prod/*"]),
                ScanRule(ScanFrequency.SCAN_ON_PUSH, ["*"]),
            ],
        )

        # One customer managed key for the registry (Security Hub ECR.5 at the price of one key).
        key = RegistryKey(self, "RegistryKey")

        # Repositories that ECR creates itself get the same secure defaults as ours.
        RepositoryCreationTemplate(
            self,
            "CachedImages",
            prefix="docker-hub",
            applied_for=[AppliedFor.PULL_THROUGH_CACHE],
            resource_tags={"managed-by": "ecr-patterns"},
        )
        RepositoryCreationTemplate(
            self,
            "Everything",
            prefix="ROOT",
            applied_for=[AppliedFor.CREATE_ON_PUSH, AppliedFor.REPLICATION],
            encryption_key=key,
        )

        # Managed signing: ECR signs every production image with AWS Signer as the builder pushes it.
        profile = signer.SigningProfile(self, "ImageSigning", platform=signer.Platform.NOTATION_OCI_SHA384_ECDSA)
        signing = SigningConfiguration(self, "Signing", rules=[SigningRule(profile, repository_filters=["prod/*"])])

        # Hear at once about critical findings and production pushes.
        alerts = sns.Topic(self, "Alerts")
        prod = ProdRepository(self, "Prod", repository_name="prod/api", encryption_key=key)
        prod.notify_on_scan_findings(alerts, min_severity="CRITICAL")
        signing.grant_push_and_sign(builder, prod)
