"""``PullThroughCache``: cache images of an upstream registry in this registry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from aws_cdk import Aws, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core import defaults
from ecr_patterns.core.errors import Code, Problems

SECRET_PREFIX = "ecr-pullthroughcache/"
_PREFIX = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$")


@dataclass(frozen=True)
class _Registry:
    key: str
    url: str | None
    credential: str  # "none" | "optional" | "required" | "role"


class UpstreamRegistry(Enum):
    """Upstream registries ECR can cache, with their URL and what they need to authenticate."""

    ECR_PUBLIC = _Registry("ecr-public", "public.ecr.aws", "none")
    KUBERNETES = _Registry("k8s", "registry.k8s.io", "none")
    QUAY = _Registry("quay", "quay.io", "optional")
    DOCKER_HUB = _Registry("docker-hub", "registry-1.docker.io", "required")
    GITHUB = _Registry("github-container-registry", "ghcr.io", "required")
    GITLAB = _Registry("gitlab-container-registry", "registry.gitlab.com", "required")
    AZURE = _Registry("azure-container-registry", None, "required")  # <name>.azurecr.io
    ECR = _Registry("ecr", None, "role")  # <account>.dkr.ecr.<region>.amazonaws.com


class PullThroughCache(Construct):
    """A pull-through cache rule: ``<prefix>/<upstream repository>`` pulls through from upstream.

    :param ecr_repository_prefix: the local prefix (2-30 characters, lowercase path segments).
    :param upstream: the upstream registry.
    :param credential: Secrets Manager secret holding the upstream credentials; its name must start with
        ``ecr-pullthroughcache/``. Required for Docker Hub, GitHub, GitLab and Azure; default ``None``.
    :param upstream_registry_url: default the registry's public URL; required for Azure
        (``<name>.azurecr.io``) and another ECR registry (``<account>.dkr.ecr.<region>.amazonaws.com``).
    :param upstream_repository_prefix: cache only this upstream namespace; default ``None`` (all).
    :param custom_role: for an upstream ECR registry, the role ECR assumes to pull; default ``None``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        ecr_repository_prefix: str,
        upstream: UpstreamRegistry,
        credential: secretsmanager.ISecret | None = None,
        upstream_registry_url: str | None = None,
        upstream_repository_prefix: str | None = None,
        custom_role: iam.IRole | None = None,
    ) -> None:
        super().__init__(scope, id)
        problems = Problems()
        if not Token.is_unresolved(ecr_repository_prefix) and (
            not 2 <= len(ecr_repository_prefix) <= 30 or not _PREFIX.match(ecr_repository_prefix)
        ):
            problems.add(
                "ecr_repository_prefix",
                ecr_repository_prefix,
                "2 to 30 characters of lowercase letters, digits and . _ - / (e.g. 'docker-hub')",
                code=Code.REGISTRY_PREFIX,
            )
        spec = upstream.value
        url = upstream_registry_url or spec.url
        if url is None:
            problems.add(
                "upstream_registry_url", None, f"{upstream.name} needs the registry's URL", code=Code.REGISTRY_UPSTREAM
            )
        if spec.credential == "required" and credential is None:
            problems.add(
                "credential",
                None,
                f"{upstream.name} needs a Secrets Manager secret named {SECRET_PREFIX}<name>",
                code=Code.REGISTRY_UPSTREAM,
            )
        if spec.credential == "none" and credential is not None:
            problems.add(
                "credential",
                credential.secret_name,
                f"{upstream.name} takes no credential",
                code=Code.REGISTRY_UPSTREAM,
            )
        if spec.credential == "role" and custom_role is None:
            problems.add(
                "custom_role",
                None,
                "an upstream ECR registry needs the role ECR assumes to pull",
                code=Code.REGISTRY_UPSTREAM,
            )
        if (
            credential is not None
            and not Token.is_unresolved(credential.secret_name)
            and not credential.secret_name.startswith(SECRET_PREFIX)
        ):
            problems.add(
                "credential",
                credential.secret_name,
                f"ECR reads only secrets whose name starts with {SECRET_PREFIX}",
                code=Code.REGISTRY_UPSTREAM,
            )
        problems.raise_if_any(context=lambda: self.node.path)
        # Claimed only once the input is valid.
        claim_once(self, "pull-through cache rule for prefix", ecr_repository_prefix)
        self.ecr_repository_prefix = ecr_repository_prefix
        self.resource = ecr.CfnPullThroughCacheRule(
            self,
            "Resource",
            ecr_repository_prefix=ecr_repository_prefix,
            upstream_registry=spec.key,
            upstream_registry_url=url,
            credential_arn=credential.secret_arn if credential else None,
            upstream_repository_prefix=upstream_repository_prefix,
            custom_role_arn=custom_role.role_arn if custom_role else None,
        )

    def grant_pull_through(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` pull through the cache: the pull actions, plus importing upstream images
        and creating the cached repositories, scoped to this prefix."""
        repositories = (
            f"arn:{Aws.PARTITION}:ecr:{Aws.REGION}:{Aws.ACCOUNT_ID}:repository/{self.ecr_repository_prefix}/*"
        )
        return iam.Grant.add_to_principal(
            grantee=grantee,
            actions=[*defaults.PULL_ACTIONS, "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
            resource_arns=[repositories],
        ).combine(
            iam.Grant.add_to_principal(grantee=grantee, actions=["ecr:GetAuthorizationToken"], resource_arns=["*"])
        )
