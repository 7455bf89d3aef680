"""The repository catalog format (plain Python; pydantic v2, from ``ecr-patterns[catalog]``).

A catalog declares defaults, teams and repositories. A repository's settings are its own, else its team's, else
the catalog's defaults (``tags`` are merged, the repository's winning). The JSON Schema editors use is
:func:`json_schema` (committed as ``schema/catalog.schema.json``, held equal by a test).
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, field_validator, model_validator

from ecr_patterns.core.identifiers import ACCOUNT_ID_PATTERN, ORGANIZATION_ID_PATTERN
from ecr_patterns.core.lifecycle.archive import (
    archive_images_not_pulled_for_days,
    archive_images_pushed_more_than_days_ago,
    delete_archived_images_after_days,
)
from ecr_patterns.core.lifecycle.model import LifecyclePolicy, PolicyRule
from ecr_patterns.core.lifecycle.standard import (
    archive_beyond,
    archive_untagged,
    default_policy_rules,
    dev_policy_rules,
    expire_untagged,
    keep_last,
    prod_policy_rules,
)

AccountId = Annotated[str, StringConstraints(pattern=ACCOUNT_ID_PATTERN)]
Region = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")]
OrganizationId = Annotated[str, StringConstraints(pattern=ORGANIZATION_ID_PATTERN)]
RepositoryName = Annotated[
    str,
    StringConstraints(
        min_length=2, max_length=256, pattern=r"^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$"
    ),
]
"""ECR's repository name rule (API reference, CreateRepository ``repositoryName``)."""
TeamName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
"""A team is also a shard name, hence a stack name part: lowercase letters, digits and dashes."""
KmsKeyArn = Annotated[str, StringConstraints(pattern=r"^arn:aws(-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")]

HELPERS: dict[str, Callable[..., PolicyRule | list[PolicyRule]]] = {
    "expire_untagged": expire_untagged,
    "keep_last": keep_last,
    "archive_untagged": archive_untagged,
    "archive_beyond": archive_beyond,
    "archive_images_not_pulled_for_days": archive_images_not_pulled_for_days,
    "archive_images_pushed_more_than_days_ago": archive_images_pushed_more_than_days_ago,
    "delete_archived_images_after_days": delete_archived_images_after_days,
    "default_policy": default_policy_rules,
    "dev_policy": dev_policy_rules,
    "prod_policy": prod_policy_rules,
}
"""Lifecycle helpers a catalog names: ``{"keep_last": {"count": 30}}``; ``{"policy": {...}}`` is ECR's JSON."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Encryption(_Strict):
    """``type`` KMS (default), KMS_DSSE or AES256; ``key`` ``aws/ecr`` (default), ``registry`` (the stage's
    RegistryKey) or a customer managed key's ARN."""

    type: Literal["KMS", "KMS_DSSE", "AES256"] = "KMS"
    key: Literal["aws/ecr", "registry"] | KmsKeyArn = "aws/ecr"

    @model_validator(mode="after")
    def _aes_has_no_key(self) -> Encryption:
        if self.type == "AES256" and self.key != "aws/ecr":
            raise ValueError("AES256 takes no key: use type KMS with a key, or drop the key")
        return self


class Grants(_Strict):
    """Pull grants: whole accounts, an organization, container-image Lambda functions of accounts."""

    accounts: list[AccountId] = []
    organization: OrganizationId | None = None
    lambda_accounts: list[AccountId] = Field(default=[], alias="lambda")


class Destination(_Strict):
    """A replication destination: a region, in another account or this one."""

    region: Region
    account: AccountId | None = None


class Settings(_Strict):
    """What defaults, teams and repositories set; ``None`` (left out) inherits."""

    preset: Literal["secure", "dev", "prod"] | None = None
    lifecycle: list[dict[str, Any]] | None = None
    scan_on_push: bool | None = None
    encryption: Encryption | None = None
    grants: Grants | None = None
    replication: list[Destination] | None = None
    tags: dict[Annotated[str, StringConstraints(min_length=1, max_length=128)], str] | None = None
    accounts: list[AccountId] | None = None
    regions: list[Region] | None = None

    @field_validator("lifecycle")
    @classmethod
    def _lifecycle_is_valid(cls, steps: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        if steps is not None:
            lifecycle_rules(steps)  # raises ValueError with every problem and its fix
        return steps


class Team(Settings):
    """A team's defaults for its repositories."""


class Repository(Settings):
    """One repository: its name, its team (the shard key when sharding by team), and its own settings."""

    name: RepositoryName
    team: TeamName | None = None


class Scanning(_Strict):
    """The registry's scanning configuration: ``type`` BASIC or ENHANCED; repository filters (wildcards) scanned on
    push and, ENHANCED only, continuously."""

    type: Literal["BASIC", "ENHANCED"] = "BASIC"
    scan_on_push: list[str] = ["*"]
    continuous: list[str] = []

    @model_validator(mode="after")
    def _continuous_is_enhanced(self) -> Scanning:
        if self.continuous and self.type != "ENHANCED":
            raise ValueError("continuous scanning needs type ENHANCED (Amazon Inspector)")
        return self


class Registry(_Strict):
    """Registry-level settings, applied once in every account and region the catalog deploys to."""

    scanning: Scanning | None = None
    pull_time_exclusions: list[
        Annotated[str, StringConstraints(pattern=r"^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)/.+$")]
    ] = []


class Catalog(_Strict):
    """A whole catalog."""

    version: Literal[1] = 1
    registry: Registry = Registry()
    defaults: Settings = Settings()
    teams: dict[TeamName, Team] = {}
    repositories: list[Repository]
    _resolved: list[Resolved] | None = PrivateAttr(default=None)
    """:func:`resolve`'s answer, computed once: a frozen catalog's effective settings never change."""

    @model_validator(mode="after")
    def _consistent(self) -> Catalog:
        problems = []
        seen: set[str] = set()
        for index, repository in enumerate(self.repositories):
            if repository.name in seen:
                problems.append(f"repositories[{index}].name {repository.name!r} is declared twice: once each")
            seen.add(repository.name)
            if repository.team is not None and repository.team not in self.teams:
                known = ", ".join(sorted(self.teams)) or "none"
                problems.append(
                    f"repositories[{index}].team {repository.team!r} is not under teams (declared: {known})"
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


@dataclass(frozen=True)
class Resolved:
    """A repository's effective settings: its own, else its team's, else the defaults."""

    name: str
    team: str | None
    preset: str
    lifecycle: tuple[PolicyRule, ...] | None
    """``None``: the preset's default policy."""
    scan_on_push: bool | None
    encryption: Encryption
    grants: Grants
    replication: tuple[Destination, ...]
    tags: Mapping[str, str]
    accounts: tuple[str, ...]
    regions: tuple[str, ...]


def resolve(catalog: Catalog) -> list[Resolved]:
    """Every repository's effective settings, in catalog order (computed once per catalog: a stage, its
    repositories and the plan all ask)."""
    if catalog._resolved is None:
        catalog._resolved = _resolve(catalog)
    return list(catalog._resolved)


def _resolve(catalog: Catalog) -> list[Resolved]:
    out = []
    # A team's or the defaults' steps are one list object shared by their repositories: converted once.
    converted: dict[int, tuple[PolicyRule, ...]] = {}

    def rules_of(steps: list[dict[str, Any]]) -> tuple[PolicyRule, ...]:
        if id(steps) not in converted:
            converted[id(steps)] = tuple(lifecycle_rules(steps))
        return converted[id(steps)]

    for repository in catalog.repositories:
        team = catalog.teams.get(repository.team) if repository.team else None
        layers: list[Settings] = [s for s in (repository, team, catalog.defaults) if s is not None]

        def first(field: str, layers: Sequence[Settings] = layers) -> Any:
            return next((getattr(s, field) for s in layers if getattr(s, field) is not None), None)

        tags: dict[str, str] = {}
        for layer in reversed(layers):
            tags.update(layer.tags or {})
        steps = first("lifecycle")
        out.append(
            Resolved(
                name=repository.name,
                team=repository.team,
                preset=first("preset") or "secure",
                lifecycle=None if steps is None else rules_of(steps),
                scan_on_push=first("scan_on_push"),
                encryption=first("encryption") or Encryption(),
                grants=first("grants") or Grants(),
                replication=tuple(first("replication") or ()),
                tags=tags,
                accounts=tuple(first("accounts") or ()),
                regions=tuple(first("regions") or ()),
            )
        )
    return out


def lifecycle_rules(steps: Sequence[Mapping[str, Any]]) -> list[PolicyRule]:
    """A catalog's lifecycle steps as engine rules, validated as ECR validates the whole policy. Priorities follow
    the steps' order (a ``policy`` step's rules keep their relative order); a helper's ``rule_priority`` is not used.

    :raises ValueError: naming each bad step, the helpers there are (with a close match) and their arguments.
    """
    from ecr_patterns.core.errors import ValidationError
    from ecr_patterns.core.lifecycle.validate import validate_lifecycle_policy

    rules: list[PolicyRule] = []
    problems: list[str] = []
    for index, step in enumerate(steps):
        if not isinstance(step, Mapping) or len(step) != 1:
            problems.append(f"step {index}: one helper name or 'policy' per step, e.g. {{keep_last: {{count: 30}}}}")
            continue
        ((name, arguments),) = step.items()
        if name == "policy":
            try:
                # Steps apply in catalog order: a policy's rules keep their own order and are renumbered with the rest.
                parsed = sorted(LifecyclePolicy.from_json(arguments).rules, key=lambda r: r.rule_priority or 0)
                rules.extend(dataclasses.replace(r, rule_priority=None) for r in parsed)
            except (ValidationError, TypeError, ValueError) as err:
                problems.append(f"step {index} policy: {err}")
            continue
        helper = HELPERS.get(name)
        if helper is None:
            close = difflib.get_close_matches(str(name), [*HELPERS, "policy"], n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"step {index}: unknown helper {name!r}{hint}; use one of {', '.join(HELPERS)}, policy")
            continue
        try:
            made = helper(**(arguments or {})) if isinstance(arguments, Mapping) or arguments is None else None
            if made is None:
                raise TypeError("arguments must be a mapping")
        except (TypeError, ValueError, ValidationError) as err:
            signature = ", ".join(p for p in inspect.signature(helper).parameters)
            problems.append(f"step {index} {name}: {_first_line(err)}; its arguments: {signature or 'none'}")
            continue
        rules.extend(dataclasses.replace(r, rule_priority=None) for r in (made if isinstance(made, list) else [made]))
    if not problems:
        try:
            validate_lifecycle_policy(LifecyclePolicy.from_rules(rules).to_json())
        except ValidationError as err:
            problems.extend(str(v) for v in err.violations)
    if problems:
        raise ValueError("; ".join(problems))
    return rules


def _first_line(err: BaseException) -> str:
    return re.sub(r"\s+", " ", str(err)).strip()


def json_schema() -> dict[str, Any]:
    """The catalog's JSON Schema (draft 2020-12, pydantic's), for editor completion."""
    schema = Catalog.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "ecr-patterns repository catalog"
    return schema


PRESET_RULES: dict[str, Callable[[], list[PolicyRule]]] = {
    "secure": default_policy_rules,
    "dev": dev_policy_rules,
    "prod": prod_policy_rules,
}


def policy_rules(entry: Resolved) -> list[PolicyRule]:
    """The rules a repository's policy will have: its own, else its preset's default policy."""
    return list(entry.lifecycle) if entry.lifecycle is not None else PRESET_RULES[entry.preset]()


def default_lifecycle_text(entry: Resolved) -> dict[str, Any]:
    """The lifecycle policy JSON of a repository, as it will be rendered."""
    return LifecyclePolicy.from_rules(policy_rules(entry)).to_json()
