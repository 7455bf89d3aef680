"""``RepositoryCatalog`` and ``CatalogStage``: a catalog's repositories as our patterns, in stable shards."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from constructs import Construct

from ecr_patterns.core.catalog.model import Catalog, Resolved, resolve
from ecr_patterns.core.catalog.plan import (
    AGNOSTIC,
    MAX_RESOURCES,
    MAX_TEMPLATE_BYTES,
    STAGE_CATALOG_ID,
    Plan,
    placement_of,
    plan_catalog,
)


def _catalog(catalog: Catalog | str | Path) -> Catalog:
    if isinstance(catalog, Catalog):
        return catalog
    from ecr_patterns.core.catalog.load import load_catalog

    loaded: Catalog = load_catalog(catalog)
    return loaded


class RepositoryCatalog(Construct):
    """A catalog's repositories, as ``SecureRepository``/``DevRepository``/``ProdRepository``, in one stack per
    shard (``<id>-<shard>``, children of ``scope``, which is an ``App`` or a ``Stage``).

    A repository's stack and logical id depend only on its own entry (:mod:`ecr_patterns.core.catalog.plan`). Every
    problem of the catalog or its plan (a shard over CloudFormation's limits) is one ``ValidationError`` before
    any stack is made.

    :param catalog: a :class:`~ecr_patterns.core.catalog.model.Catalog`, or the path of a YAML or JSON catalog.
    :param shard_by: ``"team"`` (default) or ``"hash"``.
    :param shards: buckets of ``shard_by="hash"``; default 16 (changing it moves repositories).
    :param max_resources_per_stack: default 500.
    :param account: only the repositories of this account; default ``None`` (the entries' own, or
        environment-agnostic ones).
    :param region: only the repositories of this region; default ``None``.
    :param registry_key: the key of entries with ``encryption.key: registry``; default ``None`` (such an entry is
        an error).
    :param env: the stacks' environment; default ``None`` (the scope's).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        catalog: Catalog | str | Path,
        shard_by: str = "team",
        shards: int = 16,
        max_resources_per_stack: int = MAX_RESOURCES,
        max_template_bytes: int = MAX_TEMPLATE_BYTES,
        account: str | None = None,
        region: str | None = None,
        registry_key: kms.IKey | None = None,
        env: cdk.Environment | None = None,
    ) -> None:
        super().__init__(scope, f"{id}Catalog")
        model = _catalog(catalog)
        entries = [e for e in resolve(model) if _in(e, account, region)]
        self.plan: Plan = plan_catalog(
            entries,
            shard_by=shard_by,
            shards=shards,
            stack_prefix=id,
            max_resources_per_stack=max_resources_per_stack,
            max_template_bytes=max_template_bytes,
        )
        by_name = {e.name: e for e in entries}
        self.stacks: dict[str, cdk.Stack] = {}
        self.repositories: dict[str, Any] = {}
        for (_, stack_id), placements in self.plan.stacks.items():
            stack = self.stacks.get(stack_id)
            if stack is None:
                stack = cdk.Stack(scope, stack_id, env=env)
                self.stacks[stack_id] = stack
            for placement in placements:
                if placement.name not in self.repositories:
                    self.repositories[placement.name] = _repository(
                        stack, placement.construct_id, by_name[placement.name], registry_key
                    )


def _in(entry: Resolved, account: str | None, region: str | None) -> bool:
    accounts, regions = placement_of(entry)
    return (account is None or account in accounts or AGNOSTIC in accounts) and (
        region is None or region in regions or AGNOSTIC in regions
    )


def _repository(stack: cdk.Stack, construct_id: str, entry: Resolved, registry_key: kms.IKey | None) -> Any:
    from aws_cdk import aws_ecr as ecr

    from ecr_patterns.constructs.presets import DevRepository, ProdRepository
    from ecr_patterns.constructs.repository import SecureRepository
    from ecr_patterns.core.errors import Code, ValidationError

    # Each pattern names its preset; the catalog names the preset by key.
    cls = {p._preset.key: p for p in (SecureRepository, DevRepository, ProdRepository)}[entry.preset]
    kwargs: dict[str, Any] = {"repository_name": entry.name}
    if entry.scan_on_push is not None:
        kwargs["image_scan_on_push"] = entry.scan_on_push
    encryption = entry.encryption
    if encryption.type == "AES256":
        kwargs["encryption"] = ecr.RepositoryEncryption.AES_256
    elif encryption.type == "KMS_DSSE":
        kwargs["encryption"] = ecr.RepositoryEncryption.KMS_DSSE
    if encryption.key == "registry":
        if registry_key is None:
            raise ValidationError.single(
                f"{entry.name}.encryption.key",
                "registry",
                "give RepositoryCatalog(registry_key=...) (CatalogStage makes one), or name a key ARN",
                code=Code.CATALOG_SCHEMA,
            )
        kwargs["encryption_key"] = registry_key
    elif encryption.key != "aws/ecr":
        kwargs["encryption_key"] = kms.Key.from_key_arn(stack, f"{construct_id}Key", encryption.key)
    repository = cls(stack, construct_id, **kwargs)
    if entry.lifecycle is not None:
        repository.add_lifecycle_policy_rule(*entry.lifecycle)
    grants = entry.grants
    if grants.accounts:
        repository.grant_pull_to_accounts(*grants.accounts)
    if grants.organization:
        repository.grant_pull_to_organization(grants.organization)
    if grants.lambda_accounts:
        repository.grant_pull_to_lambda(*grants.lambda_accounts, grant_accounts=False)
    for key, value in entry.tags.items():
        cdk.Tags.of(repository).add(key, value)
    return repository


class CatalogStage(cdk.Stage):
    """One account and region of a catalog: its repositories' shard stacks and, when the catalog needs them, a
    ``Registry`` stack with the registry-level settings (the ``RegistryKey``, replication, the catalog's
    ``registry`` scanning and pull-time update exclusions), once per account and region. No reference
    crosses stages: a CDK Pipelines wave deploys stages in parallel.

    :param catalog: a catalog or the path of one.
    :param account: the stage's account.
    :param region: the stage's region.
    :param shard_by: default ``"team"``.
    :param shards: default 16.
    :param kwargs: any other ``StageProps`` keyword.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        catalog: Catalog | str | Path,
        account: str,
        region: str,
        shard_by: str = "team",
        shards: int = 16,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, env=cdk.Environment(account=account, region=region), **kwargs)
        model = _catalog(catalog)
        entries = [e for e in resolve(model) if _in(e, account, region)]
        registry = _registry_stack(self, entries, model)
        key = registry.node.try_find_child("RegistryKey") if registry is not None else None
        self.catalog = RepositoryCatalog(
            self,
            STAGE_CATALOG_ID,
            catalog=model,
            shard_by=shard_by,
            shards=shards,
            account=account,
            region=region,
            registry_key=key,  # type: ignore[arg-type]
        )


def _registry_stack(stage: cdk.Stage, entries: Sequence[Resolved], catalog: Catalog) -> cdk.Stack | None:
    from ecr_patterns.constructs.registry.key import RegistryKey
    from ecr_patterns.constructs.registry.pull_time import PullTimeUpdateExclusions
    from ecr_patterns.constructs.registry.replication import (
        RegistryReplication,
        ReplicationDestination,
        ReplicationRule,
    )
    from ecr_patterns.constructs.registry.scanning import RegistryScanning, ScanFrequency, ScanRule, ScanType

    needs_key = any(e.encryption.key == "registry" for e in entries)
    replicated: dict[tuple[tuple[str, str | None], ...], list[str]] = {}
    for entry in entries:
        if entry.replication:
            targets = tuple(sorted((d.region, d.account) for d in entry.replication))
            replicated.setdefault(targets, []).append(entry.name)
    settings = catalog.registry
    if not entries or (
        not needs_key and not replicated and settings.scanning is None and not settings.pull_time_exclusions
    ):
        return None
    stack = cdk.Stack(stage, "Registry")
    if settings.scanning is not None:
        scanning = settings.scanning
        rules = [ScanRule(ScanFrequency.SCAN_ON_PUSH, scanning.scan_on_push)] if scanning.scan_on_push else []
        if scanning.continuous:
            rules.insert(0, ScanRule(ScanFrequency.CONTINUOUS_SCAN, scanning.continuous))
        RegistryScanning(stack, "Scanning", scan_type=ScanType[scanning.type], rules=rules)
    if settings.pull_time_exclusions:
        PullTimeUpdateExclusions(stack, "PullTimeExclusions", principal_arns=settings.pull_time_exclusions)
    if needs_key:
        RegistryKey(stack, "RegistryKey")
    if replicated:
        RegistryReplication(
            stack,
            "Replication",
            rules=[
                ReplicationRule(
                    destinations=[ReplicationDestination(region, account=account) for region, account in targets],
                    repository_prefixes=names,
                )
                for targets, names in replicated.items()
            ],
        )
    return stack


def catalog_stages(
    scope: Construct, *, catalog: Catalog | str | Path, id_prefix: str = "Ecr", **kwargs: Any
) -> list[CatalogStage]:
    """One :class:`CatalogStage` per account and region the catalog names (``<id_prefix>-<account>-<region>``,
    sorted); environment-agnostic entries (no account or no region) go into every stage.

    :param id_prefix: default ``"Ecr"``.
    :param kwargs: any other ``CatalogStage`` keyword (``shard_by``, ``shards``, ``StageProps``).
    """
    from ecr_patterns.core.catalog.plan import plan_catalog

    model = _catalog(catalog)
    placements = plan_catalog(resolve(model), check=False).placements
    environments = sorted({(p.account, p.region) for p in placements if AGNOSTIC not in (p.account, p.region)})
    return [
        CatalogStage(scope, f"{id_prefix}-{account}-{region}", catalog=model, account=account, region=region, **kwargs)
        for account, region in environments
    ]
