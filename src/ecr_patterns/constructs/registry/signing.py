"""``SigningConfiguration``: ECR managed signing, images signed with AWS Signer as they are pushed.

ECR "automatically signs images as they are pushed using the identity of the entity pushing the image" (User
Guide, "Managed signing"), so the pushing principal needs ``signer:SignPayload`` on the profile as well as the
push actions: :meth:`SigningConfiguration.grant_push_and_sign`. Limits are those of the API model
(``PutSigningConfiguration``, botocore's ``ecr`` service model): at most 10 rules per registry; a rule's
``repositoryFilters``, when given, 1 to 100 filters of type ``WILDCARD_MATCH``, each 1 to 256 characters
matching ``^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$``; a rule without filters signs
every image pushed to the registry; a profile ARN is at most 200 characters matching
``^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:\\/signing-profiles\\/[a-zA-Z0-9_]{2,}$``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from aws_cdk import aws_signer as signer
from constructs import Construct

from ecr_patterns.constructs.registry import _validate as check
from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core.errors import Code, Problems

MAX_RULES = 10
MAX_FILTERS = 100
MAX_FILTER_LENGTH = 256
MAX_PROFILE_ARN = 200
FILTER = re.compile(r"^(?:[a-z0-9*]+(?:[._-][a-z0-9*]+)*/)*[a-z0-9*]+(?:[._-][a-z0-9*]+)*$")
PROFILE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:signer:[a-z0-9-]+:[0-9]{12}:/signing-profiles/[a-zA-Z0-9_]{2,}$")
SIGN_ACTIONS = ("signer:SignPayload",)
"""What the pushing principal needs on the profile (User Guide, "Managed signing", IAM permissions)."""


@dataclass(frozen=True)
class SigningRule:
    """One signing rule: images pushed to repositories matching ``repository_filters`` are signed with the
    profile.

    :param signing_profile: an AWS Signer profile (``aws_signer.SigningProfile`` with
        ``Platform.NOTATION_OCI_SHA384_ECDSA``) or its ARN.
    :param repository_filters: wildcard patterns of repository names (``*`` matches any characters, e.g.
        ``"prod/*"``). Default ``None``: every repository of the registry.
    """

    signing_profile: signer.ISigningProfile | str
    repository_filters: Sequence[str] | None = None

    @property
    def signing_profile_arn(self) -> str:
        if isinstance(self.signing_profile, str):
            return self.signing_profile
        return self.signing_profile.signing_profile_arn


class SigningConfiguration(Construct):
    """The registry's managed signing configuration (one per account and region, up to 10 rules).

    :param rules: the signing rules, validated against ECR's limits at once.
    """

    def __init__(self, scope: Construct, id: str, *, rules: Sequence[SigningRule]) -> None:
        super().__init__(scope, id)
        given = list(rules)
        problems = Problems()
        if not given:
            problems.add("rules", given, "give at least one SigningRule", code=Code.REGISTRY_ARGUMENT)
        check.at_most(problems, "rules", len(given), MAX_RULES, "signing rules per registry")
        for index, rule in enumerate(given):
            _check_rule(problems, f"rules[{index}]", rule)
        problems.raise_if_any(context=lambda: self.node.path)
        claim_once(self, "signing configuration")
        self.rules = given
        self.resource = ecr.CfnSigningConfiguration(
            self,
            "Resource",
            rules=[
                ecr.CfnSigningConfiguration.RuleProperty(
                    signing_profile_arn=rule.signing_profile_arn,
                    repository_filters=[
                        ecr.CfnSigningConfiguration.RepositoryFilterProperty(filter=f, filter_type="WILDCARD_MATCH")
                        for f in rule.repository_filters
                    ]
                    if rule.repository_filters
                    else None,
                )
                for rule in given
            ],
        )

    def grant_push_and_sign(self, grantee: iam.IGrantable, *repositories: ecr.IRepository) -> iam.Grant:
        """Let a CI principal push to these repositories and have ECR sign what it pushes: aws-cdk's
        ``grant_push`` on each repository (which includes the signature's upload actions the User Guide lists),
        and ``signer:SignPayload`` on every profile of this configuration."""
        grant = iam.Grant.add_to_principal(
            grantee=grantee,
            actions=list(SIGN_ACTIONS),
            resource_arns=sorted({rule.signing_profile_arn for rule in self.rules}, key=str),
        )
        for repository in repositories:
            grant = grant.combine(repository.grant_push(grantee))
        return grant


def _check_rule(problems: Problems, where: str, rule: object) -> None:
    if not isinstance(rule, SigningRule):
        problems.add(
            where, rule, "give a SigningRule(signing_profile, repository_filters)", code=Code.REGISTRY_ARGUMENT
        )
        return
    arn = rule.signing_profile_arn
    if not Token.is_unresolved(arn) and (len(arn) > MAX_PROFILE_ARN or not PROFILE_ARN.match(arn)):
        problems.add(
            f"{where}.signing_profile",
            arn,
            "an AWS Signer profile ARN such as arn:aws:signer:eu-west-1:111111111111:/signing-profiles/ci_images "
            "(at most 200 characters)",
            code=Code.REGISTRY_ARGUMENT,
        )
    if rule.repository_filters is None:
        return
    filters = list(rule.repository_filters)
    if not filters:
        problems.add(
            f"{where}.repository_filters",
            filters,
            "give at least one filter, or None to sign every repository",
            code=Code.REGISTRY_FILTER,
        )
    check.at_most(problems, f"{where}.repository_filters", len(filters), MAX_FILTERS, "filters per signing rule")
    seen: set[str] = set()
    for value in filters:
        if isinstance(value, str) and Token.is_unresolved(value):
            continue
        if not isinstance(value, str) or len(value) > MAX_FILTER_LENGTH or not FILTER.match(value):
            problems.add(
                f"{where}.repository_filters",
                value,
                "a lowercase repository name pattern where * matches any characters, e.g. 'prod/*' or '*-api' "
                "(at most 256 characters)",
                code=Code.REGISTRY_FILTER,
            )
        elif value in seen:
            problems.add(f"{where}.repository_filters", value, "each filter once", code=Code.REGISTRY_DUPLICATE)
        seen.add(value)
