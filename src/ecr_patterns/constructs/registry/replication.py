"""``RegistryReplication``: copy images to other regions and accounts as they are pushed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aws_cdk import Aws, Stack, Token
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_iam as iam
from constructs import Construct

from ecr_patterns.constructs.registry import _validate as check
from ecr_patterns.constructs.registry._environment import claim_once
from ecr_patterns.core.errors import Code, Problems

MAX_RULES = 10
MAX_DESTINATIONS = 25
MAX_FILTERS = 100


@dataclass(frozen=True)
class ReplicationDestination:
    """Where images go. ``account`` defaults to the stack's own account (same-account replication)."""

    region: str
    account: str | None = None


@dataclass(frozen=True)
class ReplicationRule:
    """Destinations for the repositories whose names start with one of ``repository_prefixes``
    (every repository when empty)."""

    destinations: Sequence[ReplicationDestination]
    repository_prefixes: Sequence[str] = field(default_factory=tuple)


class RegistryReplication(Construct):
    """The registry's replication configuration (one per account and region).

    ECR's quotas are checked at synth: at most 10 rules, 25 distinct destinations, 100 prefix
    filters per rule; region names and 12-digit accounts are validated, and a destination equal to
    the source registry is refused. A cross-account destination must allow the source in its own
    registry policy: :func:`replication_policy_statement` builds that statement.

    :param rules: the replication rules, at least one.
    """

    def __init__(self, scope: Construct, id: str, *, rules: Sequence[ReplicationRule]) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        problems = Problems()
        if not rules:
            problems.add("rules", rules, "give at least one ReplicationRule", code=Code.REGISTRY_DESTINATION)
        check.at_most(problems, "rules", len(rules), MAX_RULES, "replication rules per registry")
        rendered, distinct = [], set()
        for n, rule in enumerate(rules, start=1):
            if not rule.destinations:
                problems.add(
                    f"rules[{n}].destinations", [], "give at least one destination", code=Code.REGISTRY_DESTINATION
                )
            check.at_most(
                problems,
                f"rules[{n}].repository_prefixes",
                len(rule.repository_prefixes),
                MAX_FILTERS,
                "filters per rule",
            )
            destinations = []
            for dest in rule.destinations:
                region = check.region(problems, "region", dest.region)
                account = check.account(problems, "account", dest.account) if dest.account else stack.account
                same_region = not Token.is_unresolved(stack.region) and region == stack.region
                same_account = dest.account is None or (
                    not Token.is_unresolved(stack.account) and account == stack.account
                )
                if same_region and same_account:
                    problems.add(
                        "destinations",
                        f"{account}/{region}",
                        "a registry cannot replicate to itself: pick another region or account",
                        code=Code.REGISTRY_DESTINATION,
                    )
                distinct.add((account, region))
                destinations.append(
                    ecr.CfnReplicationConfiguration.ReplicationDestinationProperty(region=region, registry_id=account)
                )
            for prefix in rule.repository_prefixes:
                if not isinstance(prefix, str) or not prefix or len(prefix) > 256:
                    problems.add(
                        "repository_prefixes", prefix, "a prefix is 1 to 256 characters", code=Code.REGISTRY_PREFIX
                    )
            filters = [
                ecr.CfnReplicationConfiguration.RepositoryFilterProperty(filter=p, filter_type="PREFIX_MATCH")
                for p in rule.repository_prefixes
            ]
            rendered.append(
                ecr.CfnReplicationConfiguration.ReplicationRuleProperty(
                    destinations=destinations, repository_filters=filters or None
                )
            )
        check.at_most(
            problems, "destinations", len(distinct), MAX_DESTINATIONS, "distinct destinations across all rules"
        )
        problems.raise_if_any(context=lambda: self.node.path)
        # Claimed only once the input is valid.
        claim_once(self, "replication configuration")
        self.resource = ecr.CfnReplicationConfiguration(
            self,
            "Resource",
            replication_configuration=ecr.CfnReplicationConfiguration.ReplicationConfigurationProperty(rules=rendered),
        )


def replication_policy_statement(source_account: str, *, destination_region: str | None = None) -> iam.PolicyStatement:
    """The registry policy statement a *destination* account needs to accept replication from
    ``source_account``: ``ecr:CreateRepository`` and ``ecr:ReplicateImage`` on its repositories.
    Put it in the destination's :class:`RegistryPolicy`.

    :param destination_region: default the destination stack's region.
    """
    problems = Problems()
    check.account(problems, "source_account", source_account)
    problems.raise_if_any(context="replication_policy_statement")
    region = destination_region or Aws.REGION
    return iam.PolicyStatement(
        sid=f"ReplicationFrom{source_account}" if not Token.is_unresolved(source_account) else None,
        actions=["ecr:CreateRepository", "ecr:ReplicateImage"],
        principals=[iam.AccountPrincipal(source_account)],
        resources=[f"arn:{Aws.PARTITION}:ecr:{region}:{Aws.ACCOUNT_ID}:repository/*"],
    )
