"""Where each catalog repository goes, computed from its own entry only (plain Python).

A repository's stack is its environment (account and region, or environment-agnostic) plus its shard, and its
construct id comes from its name: so its logical id depends on nothing but its own entry. Adding, removing or
reordering other entries moves nothing (aws-cdk maintainers declined automatic nested stacks because a stateful
resource's stack is part of its identity: aws-cdk issue 25766). The shard is the team (``shard_by="team"``) or a
stable hash of the name into ``shards`` buckets (``shard_by="hash"``: changing ``shards`` moves repositories, so
choose it once).

CloudFormation's limits (User Guide, "CloudFormation quotas"): 500 resources per stack (aws-cdk-lib enforces it at
synth, ``@aws-cdk/core:stackResourceLimit``) and a 1 MB template (through S3). The plan counts each stack's
resources (one per repository, plus CDK's ``AWS::CDK::Metadata``) and estimates its template's size from each
repository's rendered properties; a shard over a limit is a ``ValidationError`` naming it and the count, before
anything is synthesized.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ecr_patterns.core.defaults import PULL_ACTIONS
from ecr_patterns.core.errors import Code, Problems
from ecr_patterns.core.guarantees import PATTERN_KEY
from ecr_patterns.core.presets import PRESETS_BY_KEY
from ecr_patterns.core.settings import PRODUCTION_KEY, RepositorySettings

MAX_RESOURCES = 500
MAX_TEMPLATE_BYTES = 1_000_000
STACK_OVERHEAD_RESOURCES = 1
"""``AWS::CDK::Metadata``, which aws-cdk-lib adds to each stack in commercial regions."""
STACK_OVERHEAD_BYTES = 1_500
"""The BootstrapVersion parameter and rule, and the metadata resource, as synthesized."""
DEFAULT_SHARD = "shared"
"""The shard of a repository without a team, when sharding by team."""
AGNOSTIC = "*"
STAGE_PREFIX = "Ecr"
"""``catalog_stages``' default ``id_prefix``: its Stages are ``Ecr-<account>-<region>``."""
STAGE_CATALOG_ID = "Repositories"
"""The id of the ``RepositoryCatalog`` inside each ``CatalogStage``: its stacks are ``Repositories-<shard>``."""


@dataclass(frozen=True)
class Placement:
    """One repository in one environment: its stack and construct id, and whether a stack delete keeps it."""

    name: str
    account: str
    region: str
    shard: str
    stack_id: str
    construct_id: str
    retain: bool
    estimated_bytes: int
    encryption: tuple[str, str]
    """``(type, key)``: create-only, so a change replaces the repository."""

    @property
    def environment(self) -> str:
        return f"{self.account}/{self.region}"

    def stack_path(self, stage_prefix: str | None) -> str:
        """The stack as ``cdk ls`` lists it and a ``cdk synth`` selector matches it: inside ``catalog_stages``'
        Stage ``<stage_prefix>-<account>-<region>`` (an entry for every account or region has ``*`` there, the
        glob that selects it in each), or the bare stack id for a ``RepositoryCatalog`` at the app's root
        (``stage_prefix`` ``None``)."""
        return f"{stage_prefix}-{self.account}-{self.region}/{self.stack_id}" if stage_prefix else self.stack_id


@dataclass
class Plan:
    """Every placement, grouped by environment and stack, with each stack's resource count and size estimate."""

    placements: list[Placement]
    stacks: dict[tuple[str, str], list[Placement]] = field(default_factory=dict)
    """(environment, stack id) -> its repositories, in catalog order."""
    stage_prefix: str | None = STAGE_PREFIX
    """``catalog_stages``' ``id_prefix``, for the stack names printed (:meth:`Placement.stack_path`)."""

    def resources(self, key: tuple[str, str]) -> int:
        return len(self.stacks[key]) + STACK_OVERHEAD_RESOURCES

    def template_bytes(self, key: tuple[str, str]) -> int:
        return STACK_OVERHEAD_BYTES + sum(p.estimated_bytes for p in self.stacks[key])

    def to_json(self) -> dict[str, Any]:
        return {
            "repositories": len({p.name for p in self.placements}),
            "placements": len(self.placements),
            "stacks": [
                {
                    "environment": env,
                    "stack": items[0].stack_path(self.stage_prefix),
                    "repositories": len(items),
                    "resources": self.resources((env, stack)),
                    "estimatedTemplateBytes": self.template_bytes((env, stack)),
                }
                for (env, stack), items in sorted(self.stacks.items())
            ],
        }


def construct_id(name: str) -> str:
    """A construct id that only the name decides: its letters and digits in CamelCase, then 8 hex digits of its
    SHA-256 (so ``a-b`` and ``a/b`` never collide)."""
    words = re.split(r"[^A-Za-z0-9]+", name)
    readable = "".join(w[:1].upper() + w[1:] for w in words if w)[:60]
    return f"{readable}{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def shard_of(name: str, team: str | None, *, shard_by: str, shards: int) -> str:
    """The shard a repository belongs to, from its own entry only."""
    if shard_by == "team":
        return team or DEFAULT_SHARD
    if shard_by == "hash":
        return f"h{int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % shards:02d}"
    raise ValueError(f"shard_by={shard_by!r}: use 'team' or 'hash'")


def plan_catalog(
    repositories: Iterable[Any],
    *,
    shard_by: str = "team",
    shards: int = 16,
    stack_prefix: str = "Catalog",
    max_resources_per_stack: int = MAX_RESOURCES,
    max_template_bytes: int = MAX_TEMPLATE_BYTES,
    check: bool = True,
    stage_prefix: str | None = STAGE_PREFIX,
) -> Plan:
    """Place resolved repositories (:func:`~ecr_patterns.core.catalog.model.resolve`).

    :param shard_by: ``"team"`` (default) or ``"hash"``.
    :param shards: buckets of ``shard_by="hash"``; default 16.
    :param stack_prefix: stack ids are ``<prefix>-<shard>``; default ``"Catalog"``.
    :param max_resources_per_stack: default 500 (CloudFormation's quota).
    :param max_template_bytes: default 1,000,000 (CloudFormation's quota through S3).
    :param check: default ``True``: raise ``ValidationError`` when a stack passes a limit.
    :param stage_prefix: ``catalog_stages``' ``id_prefix``, for the stack names the plan prints; default ``"Ecr"``
        (its default); ``None`` for a ``RepositoryCatalog`` at the app's root.
    """
    problems = Problems()
    if shard_by not in ("team", "hash"):
        problems.add("shard_by", shard_by, "use 'team' or 'hash'", code=Code.CATALOG_LIMIT)
    if not isinstance(shards, int) or shards < 1 or shards > 100:
        problems.add("shards", shards, "an integer from 1 to 100", code=Code.CATALOG_LIMIT)
    if not 1 < max_resources_per_stack <= MAX_RESOURCES:
        problems.add(
            "max_resources_per_stack", max_resources_per_stack, f"from 2 to {MAX_RESOURCES}", code=Code.CATALOG_LIMIT
        )
    problems.raise_if_any(context="catalog plan")
    placements: list[Placement] = []
    sizes: dict[tuple[Any, ...], int] = {}
    for entry in repositories:
        shard = shard_of(entry.name, entry.team, shard_by=shard_by, shards=shards)
        cid = construct_id(entry.name)
        size = estimated_bytes(entry, sizes, cid=cid)
        for account, region in _environments(entry):
            placements.append(
                Placement(
                    name=entry.name,
                    account=account,
                    region=region,
                    shard=shard,
                    stack_id=f"{stack_prefix}-{shard}",
                    construct_id=cid,
                    retain=bool(PRESETS_BY_KEY[entry.preset].settings.retained),
                    estimated_bytes=size,
                    encryption=(entry.encryption.type, entry.encryption.key),
                )
            )
    plan = Plan(placements, stage_prefix=stage_prefix)
    grouped: defaultdict[tuple[str, str], list[Placement]] = defaultdict(list)
    for placement in placements:
        grouped[(placement.environment, placement.stack_id)].append(placement)
    plan.stacks = dict(grouped)
    if check:
        for key in sorted(plan.stacks):
            env, stack = key
            count, size = plan.resources(key), plan.template_bytes(key)
            if count > max_resources_per_stack:
                problems.add(
                    f"shard {plan.stacks[key][0].shard} ({env})",
                    f"{count} resources",
                    f"stack {stack} would pass the limit of {max_resources_per_stack} resources per stack: split the "
                    "team, or shard by hash with more shards",
                    code=Code.CATALOG_LIMIT,
                )
            if size > max_template_bytes:
                problems.add(
                    f"shard {plan.stacks[key][0].shard} ({env})",
                    f"about {size:,} bytes",
                    f"stack {stack}'s template would pass {max_template_bytes:,} bytes: split the shard",
                    code=Code.CATALOG_LIMIT,
                )
        problems.raise_if_any(context="catalog plan")
    return plan


def placement_of(entry: Any) -> tuple[Sequence[str], Sequence[str]]:
    """The accounts and the regions an entry is deployed to: none given means every one (``AGNOSTIC``)."""
    return entry.accounts or (AGNOSTIC,), entry.regions or (AGNOSTIC,)


def _environments(entry: Any) -> list[tuple[str, str]]:
    accounts, regions = placement_of(entry)
    return [(a, r) for a in accounts for r in regions]


def estimated_bytes(entry: Any, cache: dict[tuple[Any, ...], int] | None = None, *, cid: str | None = None) -> int:
    """The bytes a repository adds to its stack's template file as aws-cdk-lib writes it (JSON, one space per
    level), from a plain-Python picture of the resource the pattern renders: properties, policy statements and
    metadata in the same shape (``tests/catalog/test_plan.py`` holds the estimate within 3 % of synthesized
    templates).

    :param cache: default ``None``; a dict shared across entries: the picture depends on the name only through
        its length (a name needs no JSON escaping), so entries with the same settings are measured once.
    :param cid: the entry's :func:`construct_id`, when the caller has it; default ``None`` (computed).
    """
    # The name once; the construct id twice (aws:cdk:path and the pattern's own path in its promises).
    named = len(entry.name) + 2 * len(cid if cid is not None else construct_id(entry.name))
    key = (
        entry.preset,
        id(entry.lifecycle) if entry.lifecycle is not None else None,
        entry.scan_on_push,
        (entry.encryption.type, entry.encryption.key),
        (tuple(entry.grants.accounts), entry.grants.organization, tuple(entry.grants.lambda_accounts)),
        tuple(sorted(entry.tags.items())),
    )
    if cache is None or key not in cache:
        text = json.dumps({"ABCDEF12": _resource_shape(entry, name="")}, indent=1)
        lines = text.count("\n")
        # Nested one level deeper under "Resources" (one more space per line), and a separating comma.
        base = len(text) - 4 + lines + 2
        if cache is None:
            return base + named
        cache[key] = base
    return cache[key] + named


def settings_of(entry: Any) -> RepositorySettings:
    """A catalog entry (:class:`~ecr_patterns.core.catalog.model.Resolved`) read into the repository model: the
    resource its pattern renders, as the plan pictures it, read like a template's (``tests/catalog/test_settings.py``
    holds it equal to the synthesized repository's reading)."""
    read = RepositorySettings.from_template(_resource_shape(entry, name=entry.name))
    return dataclasses.replace(read, source="catalog")


def _arn(account: str) -> dict[str, Any]:
    return {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{account}:root"]]}


def _resource_shape(entry: Any, *, name: str) -> dict[str, Any]:
    from ecr_patterns.core.catalog.model import default_lifecycle_text

    # An estimate of what the pattern renders: its preset's settings (the one definition) and the grants' actions.
    preset = PRESETS_BY_KEY[entry.preset]
    settings = preset.settings
    pull = list(PULL_ACTIONS)
    encryption: dict[str, Any] = {"EncryptionType": entry.encryption.type}
    if entry.encryption.key == "registry":
        encryption["KmsKey"] = {"Fn::ImportValue": "Stage-Registry:ExportsOutputFnGetAttRegistryKeyDD63DA09Arn0123ABCD"}
    elif entry.encryption.key != "aws/ecr":
        encryption["KmsKey"] = entry.encryption.key
    properties: dict[str, Any] = {"EncryptionConfiguration": encryption}
    if settings.empty_on_delete:
        properties["EmptyOnDelete"] = True
    properties["ImageScanningConfiguration"] = {"ScanOnPush": entry.scan_on_push is not False}
    properties["ImageTagMutability"] = settings.tag_mutability
    text = json.dumps(default_lifecycle_text(entry), separators=(",", ":"))
    properties["LifecyclePolicy"] = {"LifecyclePolicyText": text}
    properties["RepositoryName"] = name
    statements: list[dict[str, Any]] = []
    grants = entry.grants
    if grants.accounts:
        arns = [_arn(a) for a in grants.accounts]
        statements.append(
            {"Action": pull, "Effect": "Allow", "Principal": {"AWS": arns[0] if len(arns) == 1 else arns}}
        )
    if grants.organization:
        statements.append(
            {
                "Action": pull,
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": grants.organization}},
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
            }
        )
    if grants.lambda_accounts:
        sources = [
            {
                "Fn::Join": [
                    "",
                    ["arn:", {"Ref": "AWS::Partition"}, ":lambda:", {"Ref": "AWS::Region"}, f":{a}:function:*"],
                ]
            }
            for a in grants.lambda_accounts
        ]
        statements.append(
            {
                "Action": pull,
                "Condition": {"StringLike": {"aws:sourceArn": sources[0] if len(sources) == 1 else sources}},
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
            }
        )
    if statements:
        properties["RepositoryPolicyText"] = {"Statement": statements, "Version": "2012-10-17"}
    if entry.tags:
        properties["Tags"] = [{"Key": k, "Value": v} for k, v in sorted(entry.tags.items())]
    shape: dict[str, Any] = {
        "Type": "AWS::ECR::Repository",
        "Properties": properties,
        "UpdateReplacePolicy": settings.update_replace_policy,
        "DeletionPolicy": settings.deletion_policy,
    }
    # The pattern's promises, as every pattern writes them (ecr_patterns.core.guarantees.PATTERN_KEY).
    # Its construct path: the stage and shard stack (typical length), then the construct id (counted by the caller).
    promises: dict[str, Any] = {
        "path": "Ecr-123456789012-eu-west-1/Repositories-shared/",
        "preset": preset.class_name,
        "requireCustomerManagedKey": False,
    }
    if preset.production:
        promises["allowDestroy"] = False
    metadata: dict[str, Any] = {PATTERN_KEY: promises}
    if preset.production:
        metadata[PRODUCTION_KEY] = True
    shape["Metadata"] = metadata
    return shape


@dataclass(frozen=True)
class Change:
    """One repository's fate between two plans."""

    kind: str
    """``created``, ``moved``, ``deleted`` (dropped from the templates, DESTROY), ``orphaned`` (dropped, RETAIN:
    the repository stays, outside any stack) or ``replaced`` (a create-only setting changed)."""
    name: str
    environment: str
    before: str | None
    after: str | None
    retain: bool
    note: str

    @property
    def blocking(self) -> bool:
        """A RETAIN repository that changes stack or is replaced: exit non-zero."""
        return self.retain and self.kind in ("moved", "replaced")

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "repository": self.name,
            "environment": self.environment,
            "before": self.before,
            "after": self.after,
            "retain": self.retain,
            "blocking": self.blocking,
            "note": self.note,
        }


MOVE_NOTE = (
    "a new logical resource in another stack: CloudFormation would create it there and the old stack would "
    "delete (DESTROY) or orphan (RETAIN) it; move it on purpose with `cdk refactor`, or RETAIN + `cdk import`"
)


def diff_plans(old: Plan, new: Plan) -> list[Change]:
    """What moves, what is created, what would be deleted or orphaned, and what would be replaced."""

    def path(placement: Placement | None) -> str | None:
        return None if placement is None else placement.stack_path(new.stage_prefix)

    before: Mapping[tuple[str, str], Placement] = {(p.name, p.environment): p for p in old.placements}
    after: Mapping[tuple[str, str], Placement] = {(p.name, p.environment): p for p in new.placements}
    changes: list[Change] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        name, env = key
        if was is None and now is not None:
            changes.append(Change("created", name, env, None, path(now), now.retain, "a new repository"))
        elif now is None and was is not None:
            kind = "orphaned" if was.retain else "deleted"
            note = (
                "RETAIN: the repository and its images stay, in no stack" if was.retain else "deleted, with its images"
            )
            changes.append(Change(kind, name, env, path(was), None, was.retain, note))
        elif was is not None and now is not None:
            if was.stack_id != now.stack_id or was.construct_id != now.construct_id:
                changes.append(Change("moved", name, env, path(was), path(now), was.retain, MOVE_NOTE))
            elif was.encryption != now.encryption:
                changes.append(
                    Change(
                        "replaced",
                        name,
                        env,
                        path(was),
                        path(now),
                        was.retain,
                        "encryption is create-only: CloudFormation replaces the repository, which it refuses for a "
                        "named one",
                    )
                )
    return changes
