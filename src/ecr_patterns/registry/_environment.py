"""Registry-level settings exist once per account and region: one check for every construct."""

from __future__ import annotations

from aws_cdk import Stack, Token
from constructs import Construct

from ecr_patterns._app_state import app_state
from ecr_patterns.errors import Code, ValidationError


def environment_of(scope: Construct) -> str:
    """``account/region`` of the scope's stack; unresolved parts (environment-agnostic stacks)
    read as ``*``, so two environment-agnostic stacks count as one environment."""
    stack = Stack.of(scope)
    account = "*" if Token.is_unresolved(stack.account) else stack.account
    region = "*" if Token.is_unresolved(stack.region) else stack.region
    return f"{account}/{region}"


def claim_once(scope: Construct, kind: str, key: str = "") -> str:
    """Record that ``scope`` defines ``kind`` (e.g. the replication configuration) for its
    environment; a second definition for the same environment in the app is a ``ValidationError``.
    Returns the environment."""
    env = environment_of(scope)
    claimed = app_state(scope).registry_claims
    slot = (kind + (f" {key}" if key else ""), env)
    if slot in claimed:
        raise ValidationError.single(
            kind,
            scope.node.path,
            f"a registry holds one {slot[0]} per account and region; {claimed[slot]} already defines it for {env}: "
            "merge them into one construct",
            code=Code.REGISTRY_DUPLICATE,
            context=scope.node.path,
        )
    claimed[slot] = scope.node.path
    return env


def claimed(scope: Construct, kind: str) -> bool:
    """Whether the app defines ``kind`` for the scope's environment (the same account and region, parts left
    to deploy time matching only each other, as the compliance engine's ``covers``)."""
    return (kind, environment_of(scope)) in app_state(scope).registry_claims
