"""``RepositoryCreationTemplate``: the settings of repositories that ECR creates by itself."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from enum import StrEnum

from aws_cdk import Annotations, CfnTag, Stack, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk.interfaces import aws_kms as kms_refs
from constructs import Construct

from ecr_patterns.constructs.lifecycle.render import render_lifecycle_policy
from ecr_patterns.constructs.lifecycle.rules import to_policy_rules
from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core.errors import Code, Problems
from ecr_patterns.core.presets import SECURE

_PREFIX = re.compile(r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*/?$")


class AppliedFor(StrEnum):
    PULL_THROUGH_CACHE = "PULL_THROUGH_CACHE"
    REPLICATION = "REPLICATION"
    CREATE_ON_PUSH = "CREATE_ON_PUSH"


class RepositoryCreationTemplate(Construct):
    """Secure settings for repositories that ECR creates on push, by replication or through a
    pull-through cache — the same defaults as ``SecureRepository``: immutable tags, KMS
    encryption, the default lifecycle policy (untagged after 14 days, keep the last 1,000).

    :param prefix: repository name prefix the template applies to; ``"ROOT"`` for every repository
        no other template matches.
    :param applied_for: default all three (``PULL_THROUGH_CACHE``, ``REPLICATION``, ``CREATE_ON_PUSH``).
    :param image_tag_mutability: default ``IMMUTABLE`` (a weaker value is warned).
    :param encryption_key: default ``None``: KMS with the AWS-managed key.
    :param lifecycle_rules: default the ``SecureRepository`` default policy; validated at synth.
    :param repository_policy: default ``None``.
    :param resource_tags: tags for the created repositories; default none.
    :param custom_role: role ECR uses to apply a customer KMS key or tags; default ``None``, or, with a
        ``RegistryKey`` as ``encryption_key``, that key's ``repository_creation_role``.
    :param description: default ``None``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        prefix: str,
        applied_for: Sequence[AppliedFor] | None = None,
        image_tag_mutability: ecr.TagMutability | None = None,
        encryption_key: kms_refs.IKeyRef | None = None,
        lifecycle_rules: Sequence[ecr.LifecycleRule] | None = None,
        repository_policy: iam.PolicyDocument | None = None,
        resource_tags: Mapping[str, str] | None = None,
        custom_role: iam.IRole | None = None,
        description: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        problems = Problems()
        if not Token.is_unresolved(prefix) and prefix != "ROOT" and (not _PREFIX.match(prefix) or len(prefix) > 256):
            problems.add(
                "prefix",
                prefix,
                "a repository name prefix such as 'team/' or 'ROOT' for all",
                code=Code.REGISTRY_PREFIX,
            )
        uses = list(applied_for) if applied_for is not None else list(AppliedFor)
        if not uses:
            problems.add(
                "applied_for",
                [],
                "give at least one of PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH",
                code=Code.REGISTRY_ARGUMENT,
            )
        rules = SECURE.lifecycle_rules() if lifecycle_rules is None else to_policy_rules(lifecycle_rules, problems)
        problems.raise_if_any(context=lambda: self.node.path)
        # The one renderer: same key order, token rule and validation as every repository's policy.
        lifecycle_text = render_lifecycle_policy(self, rules, where=lambda: self.node.path)
        # The repositories ECR creates get SecureRepository's defaults (ecr_patterns.core.presets.SECURE).
        mutability = image_tag_mutability or ecr.TagMutability(SECURE.settings.tag_mutability)
        if mutability.value != SECURE.settings.tag_mutability:
            Annotations.of(self).add_warning_v2(
                "ecr-patterns:imageTagMutability",
                f"image_tag_mutability={mutability.value} overrides the secure default IMMUTABLE for every repository "
                "this template creates.",
            )
        if not rules:
            Annotations.of(self).add_warning_v2(
                "ecr-patterns:lifecycleRules",
                "lifecycle_rules=[] overrides the default lifecycle policy: created repositories keep images forever.",
            )
        if custom_role is None and _is_registry_key(encryption_key):
            # The role ECR must assume to create repositories with a customer managed key (User Guide).
            custom_role = encryption_key.repository_creation_role  # type: ignore[union-attr]
        if encryption_key is not None and custom_role is None:
            Annotations.of(self).add_warning_v2(
                "ecr-patterns:customRole",
                "a customer managed key needs custom_role: ECR assumes it to create repositories with that key.",
            )
        # Claimed only once the input is valid.
        claim_once(self, "repository creation template for prefix", prefix)
        self.resource = ecr.CfnRepositoryCreationTemplate(
            self,
            "Resource",
            prefix=prefix,
            applied_for=[u.value for u in uses],
            description=description,
            image_tag_mutability=mutability.value,
            encryption_configuration=ecr.CfnRepositoryCreationTemplate.EncryptionConfigurationProperty(
                encryption_type=SECURE.settings.encryption_type,
                kms_key=encryption_key.key_ref.key_arn if encryption_key is not None else None,
            ),
            lifecycle_policy=lifecycle_text,
            repository_policy=None if repository_policy is None else _json(self, repository_policy),
            resource_tags=[CfnTag(key=k, value=v) for k, v in (resource_tags or {}).items()] or None,
            custom_role_arn=custom_role.role_arn if custom_role else None,
        )


def _is_registry_key(key: object) -> bool:
    from ecr_patterns.constructs.registry.key import RegistryKey

    return isinstance(key, RegistryKey)


def _json(scope: Construct, document: iam.PolicyDocument) -> str:
    return Stack.of(scope).to_json_string(document)
