"""Read an estate's ECR state, strictly read-only (plain Python; boto3 from ``ecr-patterns[aws]``).

Only ``Describe*``, ``Get*``, ``List*`` and ``BatchGet*`` calls on ECR, ``kms:DescribeKey`` (to tell a customer
managed key from ``aws/ecr``) and, for ``--role-arn``, ``sts:AssumeRole``. What cannot be read (AccessDenied,
throttling past botocore's retries, an endpoint that does not implement a call) is recorded with its error and
the rest is read on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ecr_patterns.core.lifecycle.live import (
    BATCH_GET_IMAGE_LIMIT,
    LiveRepositoryError,
    image_index_children,
    list_repository_images,
)
from ecr_patterns.core.lifecycle.preview import INDEX_MEDIA_TYPES

SCANNING_BATCH = 25
"""``batch_get_repository_scanning_configuration`` takes 1-25 repository names (ECR API reference)."""
PAGE = {"PageSize": 1000}
"""The largest ``maxResults`` of describe_repositories, describe_pull_through_cache_rules and
describe_repository_creation_templates (ECR API reference): the fewest calls."""
READ_ONLY_PREFIXES = ("Describe", "Get", "List", "BatchGet")
"""The ECR operations the audit may call: names starting with these (plus kms:DescribeKey, sts:AssumeRole)."""


@dataclass(frozen=True)
class Target:
    """One registry: a region of the caller's account, or of the account a role belongs to."""

    region: str
    role_arn: str | None = None

    @property
    def account_hint(self) -> str | None:
        """The account of ``role_arn`` (``arn:aws:iam::<account>:role/...``), before anything is read."""
        if self.role_arn is None:
            return None
        parts = self.role_arn.split(":")
        return parts[4] if len(parts) > 4 and parts[4] else None


@dataclass(frozen=True)
class Unreadable:
    """Something the audit could not read, and why."""

    what: str
    error: str
    level: str = "error"
    """``error`` for repositories and their settings (the audit is incomplete), ``warning`` for optional
    registry-level settings."""


@dataclass
class LiveRepository:
    """What one repository really is, as ECR describes it."""

    description: dict[str, Any]
    """The repository as ``describe_repositories`` returns it."""
    region: str
    scanning: dict[str, Any] | None = None
    """Its entry of ``batch_get_repository_scanning_configuration`` (ECR's effective scan frequency)."""
    lifecycle_policy_text: str | None = None
    repository_policy_text: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    images: list[dict[str, Any]] | None = None
    """Every image of every status; ``None`` when they could not be read."""
    index_children: dict[str, list[str]] = field(default_factory=dict)
    layers_of: dict[str, list[tuple[str, int]]] | None = None
    """With ``layers``: per image digest, the (digest, size) of its config and layers, from its manifest."""
    key_manager: str | None = None
    """``AWS`` or ``CUSTOMER`` for a KMS key, as ``kms:DescribeKey`` says; ``None`` without KMS or unknown."""
    unreadable: list[Unreadable] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.description["repositoryName"])

    @property
    def arn(self) -> str:
        return str(self.description.get("repositoryArn", ""))

    @property
    def account(self) -> str:
        return str(self.description.get("registryId", ""))


@dataclass
class LiveRegistry:
    """One account and region: its registry-level settings and its repositories."""

    target: Target
    account: str | None = None
    scanning_configuration: dict[str, Any] | None = None
    registry_policy: dict[str, Any] | None = None
    replication_configuration: dict[str, Any] | None = None
    pull_through_cache_rules: list[dict[str, Any]] | None = None
    creation_templates: list[dict[str, Any]] | None = None
    pull_time_exclusions: list[str] | None = None
    """Principal ARNs whose pulls do not update ``lastRecordedPullTime``; ``None`` when not read."""
    repositories: list[LiveRepository] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


def _error_text(err: BaseException) -> str:
    response = getattr(err, "response", None)
    if isinstance(response, Mapping):
        error = response.get("Error") or {}
        return f"{error.get('Code', type(err).__name__)}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(err).__name__}: {err}"


def _error_code(err: BaseException) -> str:
    response = getattr(err, "response", None)
    return str(((response or {}).get("Error") or {}).get("Code", "")) if isinstance(response, Mapping) else ""


def _read_errors() -> tuple[type[BaseException], ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    # NotImplementedError: what an emulator (moto in-process) raises for a call it does not implement.
    return (BotoCoreError, ClientError, LiveRepositoryError, NotImplementedError)


class _Clients:
    """The boto3 clients of one target, made once in the calling thread (clients are thread-safe, sessions
    are not). ``kms`` may be ``None``: key managers are then not told."""

    def __init__(self, ecr: Any, kms: Any | None) -> None:
        self.ecr = ecr
        self.kms = kms
        self._keys: dict[str, str | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_target(cls, session: Any, target: Target, config: Any) -> _Clients:
        if target.role_arn:
            sts = session.client("sts", region_name=target.region, config=config)
            creds = sts.assume_role(RoleArn=target.role_arn, RoleSessionName="ecr-patterns-audit")["Credentials"]
            import boto3

            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        return cls(
            session.client("ecr", region_name=target.region, config=config),
            session.client("kms", region_name=target.region, config=config),
        )

    def key_manager(self, key_arn: str) -> str | None:
        if self.kms is None:
            return None
        with self._lock:
            if key_arn in self._keys:
                return self._keys[key_arn]
        try:
            found = self.kms.describe_key(KeyId=key_arn)["KeyMetadata"].get("KeyManager")
            manager = str(found) if found else None
        except _read_errors():
            manager = None
        with self._lock:
            self._keys[key_arn] = manager
        return manager


def _attempt(
    unreadable: list[Unreadable],
    what: str,
    call: Callable[[], Any],
    *,
    level: str = "error",
    missing: str | None = None,
) -> Any:
    """``call()``, or ``None`` when it fails: the failure is recorded in ``unreadable``, except the error code
    ``missing`` (a resource that simply does not exist, such as a repository without a policy)."""
    try:
        return call()
    except _read_errors() as err:
        if missing is None or _error_code(err) != missing:
            unreadable.append(Unreadable(what, _error_text(err), level))
        return None


def _optional(registry: LiveRegistry, what: str, call: Callable[[], Any], **options: Any) -> Any:
    """An optional registry setting: what cannot be read is a warning unless ``level`` says otherwise."""
    return _attempt(registry.unreadable, what, call, **{"level": "warning", **options})


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page.get(key, [])]


def _exclusions(ecr: Any) -> list[str]:
    """Every pull-time update exclusion (``list_pull_time_update_exclusions`` has no paginator in botocore: pages
    of 1,000, its largest ``maxResults``, followed by ``nextToken``)."""
    found: list[str] = []
    args: dict[str, Any] = {"maxResults": 1000}
    while True:
        page = ecr.list_pull_time_update_exclusions(**args)
        found += [str(arn) for arn in page.get("pullTimeUpdateExclusions", [])]
        if not page.get("nextToken"):
            return found
        args["nextToken"] = page["nextToken"]


def read_registry(clients: _Clients, target: Target, repository_prefix: str | None) -> LiveRegistry:
    """A registry's settings and its repositories' descriptions (not yet their images)."""
    registry = LiveRegistry(target)
    ecr = clients.ecr
    try:
        described = _pages(
            ecr,
            "describe_repositories",
            "repositories",
            PaginationConfig=PAGE,
        )
    except _read_errors() as err:
        registry.unreadable.append(Unreadable("repositories", _error_text(err)))
        return registry
    if repository_prefix:
        described = [r for r in described if str(r.get("repositoryName", "")).startswith(repository_prefix)]
    registry.repositories = [LiveRepository(d, target.region) for d in described]
    registry.account = next((r.account for r in registry.repositories), None) or target.account_hint

    scanning = _optional(registry, "registry scanning configuration", ecr.get_registry_scanning_configuration)
    registry.scanning_configuration = (scanning or {}).get("scanningConfiguration")
    registry.replication_configuration = (
        _optional(registry, "replication configuration", ecr.describe_registry) or {}
    ).get("replicationConfiguration")

    policy = _optional(registry, "registry policy", ecr.get_registry_policy, missing="RegistryPolicyNotFoundException")
    registry.registry_policy = json.loads(policy["policyText"]) if policy else None
    registry.pull_through_cache_rules = _optional(
        registry,
        "pull-through cache rules",
        lambda: _pages(ecr, "describe_pull_through_cache_rules", "pullThroughCacheRules", PaginationConfig=PAGE),
    )
    registry.creation_templates = _optional(
        registry,
        "repository creation templates",
        lambda: _pages(
            ecr, "describe_repository_creation_templates", "repositoryCreationTemplates", PaginationConfig=PAGE
        ),
    )
    registry.pull_time_exclusions = _optional(registry, "pull-time update exclusions", lambda: _exclusions(ecr))
    by_name = {r.name: r for r in registry.repositories}
    names = list(by_name)
    for start in range(0, len(names), SCANNING_BATCH):
        batch = names[start : start + SCANNING_BATCH]
        answer = _optional(
            registry,
            f"scanning configuration of {len(batch)} repositories",
            partial(ecr.batch_get_repository_scanning_configuration, repositoryNames=batch),
            level="error",
        )
        for entry in (answer or {}).get("scanningConfigurations", []):
            if entry.get("repositoryName") in by_name:
                by_name[entry["repositoryName"]].scanning = entry
    return registry


IMAGE_MANIFEST_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)


def _manifest_layers(text: str) -> list[tuple[str, int]]:
    manifest = json.loads(text)
    parts = [manifest.get("config") or {}, *(manifest.get("layers") or [])]
    return [(str(p["digest"]), int(p.get("size") or 0)) for p in parts if isinstance(p, Mapping) and p.get("digest")]


def read_layers(ecr: Any, repository: LiveRepository, ids: Mapping[str, Any]) -> dict[str, list[tuple[str, int]]]:
    """Every image manifest's layers (``batch_get_image``, 100 images a call); image indexes have none of their
    own (their children are images of the repository)."""
    digests = [
        str(i["imageDigest"])
        for i in repository.images or []
        if i.get("imageManifestMediaType") not in INDEX_MEDIA_TYPES and i.get("imageStatus", "ACTIVE") == "ACTIVE"
    ]
    found: dict[str, list[tuple[str, int]]] = {}
    for start in range(0, len(digests), BATCH_GET_IMAGE_LIMIT):
        answer = ecr.batch_get_image(
            **ids,
            imageIds=[{"imageDigest": d} for d in digests[start : start + BATCH_GET_IMAGE_LIMIT]],
            acceptedMediaTypes=list(IMAGE_MANIFEST_TYPES),
        )
        for image in answer.get("images", []):
            found[str(image["imageId"]["imageDigest"])] = _manifest_layers(image["imageManifest"])
    return found


def read_repository(clients: _Clients, repository: LiveRepository, *, layers: bool = False) -> None:
    """Fill in one repository's policies, tags, key manager and every image (in place); with ``layers``, the
    layers of every active image's manifest too."""
    ecr, name, registry_id = clients.ecr, repository.name, repository.account or None
    ids: dict[str, Any] = {"repositoryName": name}
    if registry_id:
        ids["registryId"] = registry_id

    def read(what: str, call: Callable[[], Any], missing: str | None = None) -> Any:
        return _attempt(repository.unreadable, what, call, missing=missing)

    lifecycle = read("lifecycle policy", lambda: ecr.get_lifecycle_policy(**ids), "LifecyclePolicyNotFoundException")
    repository.lifecycle_policy_text = (lifecycle or {}).get("lifecyclePolicyText")
    policy = read("repository policy", lambda: ecr.get_repository_policy(**ids), "RepositoryPolicyNotFoundException")
    repository.repository_policy_text = (policy or {}).get("policyText")
    if repository.arn:
        tags = read("tags", lambda: ecr.list_tags_for_resource(resourceArn=repository.arn))
        repository.tags = list((tags or {}).get("tags", []))
    images = read("images", lambda: list_repository_images(name, registry_id=registry_id, client=ecr))
    repository.images = images
    if images:
        children = read(
            "image index manifests", lambda: image_index_children(name, images, registry_id=registry_id, client=ecr)
        )
        repository.index_children = children or {}
        if layers:
            repository.layers_of = read("image manifests", lambda: read_layers(ecr, repository, ids))
    encryption = repository.description.get("encryptionConfiguration") or {}
    if encryption.get("encryptionType") in ("KMS", "KMS_DSSE") and encryption.get("kmsKey"):
        repository.key_manager = clients.key_manager(str(encryption["kmsKey"]))


def read_named_repository(
    ecr: Any, name: str, *, kms: Any | None = None, registry_id: str | None = None
) -> LiveRepository:
    """One repository, read as the audit reads each of an estate's: its description, policies, tags, key
    manager, every image of every status and the image indexes' children. What cannot be read is in
    ``unreadable``; a repository that cannot be described raises :class:`LiveRepositoryError`.

    :param kms: a KMS client to tell ``aws/ecr`` from a customer managed key; default ``None`` (not told).
    :param registry_id: default ``None``: the caller's registry.
    """
    scope = {"registryId": registry_id} if registry_id else {}
    try:
        (description,) = ecr.describe_repositories(repositoryNames=[name], **scope)["repositories"]
    except _read_errors() as err:
        raise LiveRepositoryError(f"cannot read repository {name}: {_error_text(err)}") from None
    repository = LiveRepository(description=description, region=str(ecr.meta.region_name))
    read_repository(_Clients(ecr, kms), repository)
    return repository


def read_estate(
    targets: Iterable[Target],
    *,
    session: Any | None = None,
    repository_prefix: str | None = None,
    max_workers: int = 8,
    max_attempts: int = 10,
    on_progress: Callable[[int, int], None] | None = None,
    layers: bool = False,
) -> list[LiveRegistry]:
    """Read every target concurrently: a bounded thread pool over registries, then over repositories.

    :param session: default ``None``: ``boto3.Session()`` with your configured credentials.
    :param repository_prefix: default ``None``: every repository.
    :param max_workers: default 8 threads.
    :param max_attempts: default 10: botocore's adaptive retry mode, at most this many attempts per call (the
        first one included: ``total_max_attempts``).
    :param on_progress: default ``None``; called with (repositories read, repositories found).
    :param layers: default ``False``; ``True`` also reads every active image's manifest (100 a call) to count
        bytes per unique layer. Archived images' manifests are not read (they cannot be pulled).
    """
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise LiveRepositoryError("the audit needs boto3: pip install 'ecr-patterns[aws]'") from None
    session = session or boto3.Session()
    config = Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts}, max_pool_connections=max_workers * 2
    )
    targets = list(targets)
    registries: list[LiveRegistry] = []
    clients: dict[int, _Clients] = {}
    for index, target in enumerate(targets):
        try:
            clients[index] = _Clients.for_target(session, target, config)
        except _read_errors() as err:
            failed = LiveRegistry(target, account=target.account_hint)
            failed.unreadable.append(Unreadable("credentials for this target", _error_text(err)))
            registries.append(failed)
    done = found = 0
    progress_lock = threading.Lock()

    def repository_done(_: Future[None]) -> None:
        nonlocal done
        with progress_lock:
            done += 1
            if on_progress is not None:
                on_progress(done, found)

    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="ecr-audit") as pool:
        listing = {pool.submit(read_registry, c, targets[i], repository_prefix): c for i, c in clients.items()}
        reads: list[Future[None]] = []
        for future in as_completed(listing):
            registry = future.result()
            registries.append(registry)
            with progress_lock:
                found += len(registry.repositories)
            for repository in registry.repositories:
                read = pool.submit(read_repository, listing[future], repository, layers=layers)
                read.add_done_callback(repository_done)
                reads.append(read)
        for read in reads:
            read.result()
    order = {id(t): i for i, t in enumerate(targets)}
    registries.sort(key=lambda r: order.get(id(r.target), 0))
    return registries
