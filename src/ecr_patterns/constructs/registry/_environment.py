"""Registry-level settings exist once per account and region: one check for every construct."""

from __future__ import annotations

from aws_cdk import Stack, Token
from constructs import Construct, IConstruct

from ecr_patterns.constructs._app_state import app_state
from ecr_patterns.core.environment import Environment, describe
from ecr_patterns.core.errors import Code, ValidationError


def stack_environment(scope: IConstruct) -> Environment:
    """``(account, region)`` of the scope's stack (:mod:`ecr_patterns.core.environment`); a part left to deploy time
    is ``None``, so two environment-agnostic stacks count as one environment."""
    stack = Stack.of(scope)
    account, region = stack.account, stack.region
    return (None if Token.is_unresolved(account) else account, None if Token.is_unresolved(region) else region)


def claim_once(scope: Construct, kind: str, key: str = "") -> str:
    """Record that ``scope`` defines ``kind`` (e.g. the replication configuration) for its
    environment; a second definition for the same environment in the app is a ``ValidationError``.
    Returns the environment."""
    env = stack_environment(scope)
    claimed = app_state(scope).registry_claims
    slot = (kind + (f" {key}" if key else ""), env)
    if slot in claimed:
        raise ValidationError.single(
            kind,
            scope.node.path,
            f"a registry holds one {slot[0]} per account and region; {claimed[slot]} already defines it for "
            f"{describe(env)}: "
            "merge them into one construct",
            code=Code.REGISTRY_DUPLICATE,
            context=scope.node.path,
        )
    claimed[slot] = scope.node.path
    return describe(env)


def claimed(scope: Construct, kind: str) -> bool:
    """Whether the app defines ``kind`` for the scope's environment (the same account and region, parts left
    to deploy time matching only each other, as the compliance engine's ``covers``)."""
    return (kind, stack_environment(scope)) in app_state(scope).registry_claims
