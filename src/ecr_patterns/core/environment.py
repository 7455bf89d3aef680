"""Which account and region: one definition for every feature (plain Python, no ``aws_cdk``).

A registry is one account and region (ECR User Guide, "Private registry"): registry-level settings (scanning,
pull-time exclusions, replication, the registry policy) exist once per environment and cover only the
repositories of the same one. A part left to deploy time (an environment-agnostic stack) is ``None``.
"""

from __future__ import annotations

from typing import Final

Environment = tuple[str | None, str | None]
"""``(account, region)``; ``None`` where the stack leaves it to deploy time."""
AGNOSTIC: Final[Environment] = (None, None)
_UNKNOWN = frozenset({"", "unknown-account", "unknown-region"})
"""How a cloud assembly names a part left to deploy time (``aws://unknown-account/unknown-region``)."""


def environment(account: str | None, region: str | None) -> Environment:
    """An environment from an account and a region as a stack or an assembly names them: an unknown part, or an
    unresolved token (``${Token[...]}``), is ``None``."""

    def part(value: str | None) -> str | None:
        if value is None or value in _UNKNOWN or "${Token[" in value:
            return None
        return value

    return (part(account), part(region))


def covers(setting: Environment, repository: Environment) -> bool:
    """Whether a registry-level setting deployed to ``setting`` covers a repository deployed to ``repository``: the
    same account and region; a part left to deploy time matches only a part left to deploy time (an
    environment-agnostic configuration covers only environment-agnostic repositories)."""
    return setting == repository


def describe(env: Environment) -> str:
    """``account/region`` for messages, ``*`` for a part left to deploy time."""
    return f"{env[0] or '*'}/{env[1] or '*'}"
