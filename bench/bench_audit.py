"""Issue 12: ``ecr-patterns audit`` of an emulator estate (1,000 repositories, 20,000 images) against a bare boto3
script that makes the same minimal set of read calls at the same concurrency (target: wall-time ratio <= 1.2,
peak <= 500 MB, no call beyond the minimal set).

The minimal set, derived from what the audit must know: per registry, one call each for the scanning
configuration, the replication configuration, the registry policy, the pull-through cache rules, the
creation templates and the pull-time update exclusions (pages of 1,000); ``describe_repositories`` pages of
1,000 (its largest ``maxResults``); ``batch_get_repository_scanning_configuration`` batches of 25 (its largest).
Per repository: its lifecycle policy, its repository policy, its tags, ``describe_images`` pages of 1,000
(every status) and, only for repositories holding image indexes, ``batch_get_image`` batches of 100 of the
indexes. Per distinct KMS key, ``kms:DescribeKey``. Both sides count their calls from botocore's
``before-call`` event (one per API call, retries not counted); the benchmark fails when the audit's calls
differ from the bare script's.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPOSITORIES = int(os.environ.get("BENCH_AUDIT_REPOSITORIES", "1000"))
IMAGES_PER_REPOSITORY = 20
WORKERS = 8
REGION = "us-east-1"
ROUNDS = int(os.environ.get("BENCH_PAIRS", "3"))
INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"
KEEP_LAST = json.dumps(
    {
        "rules": [
            {
                "rulePriority": 1,
                "selection": {
                    "tagStatus": "untagged",
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 7,
                },
                "action": {"type": "expire"},
            },
            {
                "rulePriority": 2,
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 10},
                "action": {"type": "expire"},
            },
        ]
    }
)


def _environment(endpoint: str) -> dict[str, str]:
    root = str(Path(__file__).resolve().parent.parent)
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", ""),
    }


def _manifest(seed: int) -> str:
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": MANIFEST,
            "config": {
                "digest": f"sha256:{seed:064x}",
                "size": 1,
                "mediaType": "application/vnd.oci.image.config.v1+json",
            },
            "layers": [
                {
                    "digest": f"sha256:{seed + 10**9:064x}",
                    "size": 1000 + seed % 977,
                    "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                }
            ],
        }
    )


def _seed_repository(ecr: Any, index: int) -> None:
    name = f"team{index % 20:02d}/service-{index:04d}"
    settings: dict[str, Any] = {"repositoryName": name}
    if index % 3:
        settings.update(imageTagMutability="IMMUTABLE", imageScanningConfiguration={"scanOnPush": True})
    if index % 4 == 0:
        settings["encryptionConfiguration"] = {"encryptionType": "KMS"}
    ecr.create_repository(**settings)
    if index % 3 != 2:
        ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=KEEP_LAST)
    base = index * IMAGES_PER_REPOSITORY
    plain = IMAGES_PER_REPOSITORY - (3 if index % 50 == 0 else 0)
    for k in range(plain):
        args: dict[str, Any] = {
            "repositoryName": name,
            "imageManifest": _manifest(base + k),
            "imageManifestMediaType": MANIFEST,
        }
        if k % 10 < 7:
            args["imageTag"] = f"build-{k}"
        ecr.put_image(**args)
    if index % 50 == 0:  # a multi-architecture image: an index and its two children
        children = [
            ecr.put_image(
                repositoryName=name, imageManifest=_manifest(base + plain + c), imageManifestMediaType=MANIFEST
            )["image"]["imageId"]["imageDigest"]
            for c in range(2)
        ]
        index_manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": INDEX,
                "manifests": [{"mediaType": MANIFEST, "digest": d, "size": 10} for d in children],
            }
        )
        ecr.put_image(repositoryName=name, imageManifest=index_manifest, imageTag="multi", imageManifestMediaType=INDEX)


def _seed(endpoint: str) -> float:
    import boto3

    os.environ.update(_environment(endpoint))
    ecr = boto3.Session(region_name=REGION).client("ecr")
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(lambda i: _seed_repository(ecr, i), range(REPOSITORIES)))
    ecr.put_registry_scanning_configuration(
        scanType="BASIC",
        rules=[
            {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "team0*", "filterType": "WILDCARD"}]}
        ],
    )
    return time.perf_counter() - start


def _counting_session() -> tuple[Any, Counter[str]]:
    import boto3

    calls: Counter[str] = Counter()
    session = boto3.Session(region_name=REGION)
    session.events.register(
        "before-call", lambda model, **_: calls.update([f"{model.service_model.service_name}:{model.name}"])
    )
    return session, calls


def _bare(session: Any) -> None:
    """The minimal set of calls, at the same concurrency, results thrown away."""
    from botocore.config import Config
    from botocore.exceptions import ClientError

    config = Config(retries={"mode": "adaptive", "total_max_attempts": 10}, max_pool_connections=WORKERS * 2)
    ecr = session.client("ecr", region_name=REGION, config=config)
    kms = session.client("kms", region_name=REGION, config=config)

    def tolerant(call: Any, **kwargs: Any) -> Any:
        try:
            return call(**kwargs)
        except (ClientError, NotImplementedError):
            return None

    page = {"PageSize": 1000}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:

        def registry() -> list[dict[str, Any]]:
            repos = [
                r
                for p in ecr.get_paginator("describe_repositories").paginate(PaginationConfig=page)
                for r in p["repositories"]
            ]
            tolerant(ecr.get_registry_scanning_configuration)
            tolerant(ecr.describe_registry)
            tolerant(ecr.get_registry_policy)
            tolerant(
                lambda: list(ecr.get_paginator("describe_pull_through_cache_rules").paginate(PaginationConfig=page))
            )
            tolerant(
                lambda: list(
                    ecr.get_paginator("describe_repository_creation_templates").paginate(PaginationConfig=page)
                )
            )
            tolerant(ecr.list_pull_time_update_exclusions, maxResults=1000)
            names = [r["repositoryName"] for r in repos]
            for start in range(0, len(names), 25):
                ecr.batch_get_repository_scanning_configuration(repositoryNames=names[start : start + 25])
            return repos

        repos = pool.submit(registry).result()
        keys: set[str] = set()

        def repository(repo: dict[str, Any]) -> None:
            name = repo["repositoryName"]
            tolerant(ecr.get_lifecycle_policy, repositoryName=name, registryId=repo["registryId"])
            tolerant(ecr.get_repository_policy, repositoryName=name, registryId=repo["registryId"])
            ecr.list_tags_for_resource(resourceArn=repo["repositoryArn"])
            images = [
                i
                for p in ecr.get_paginator("describe_images").paginate(
                    repositoryName=name,
                    registryId=repo["registryId"],
                    filter={"tagStatus": "ANY", "imageStatus": "ANY"},
                    PaginationConfig=page,
                )
                for i in p["imageDetails"]
            ]
            indexes = [i["imageDigest"] for i in images if i.get("imageManifestMediaType") == INDEX]
            for start in range(0, len(indexes), 100):
                ecr.batch_get_image(
                    repositoryName=name,
                    registryId=repo["registryId"],
                    imageIds=[{"imageDigest": d} for d in indexes[start : start + 100]],
                    acceptedMediaTypes=sorted([INDEX, "application/vnd.docker.distribution.manifest.list.v2+json"]),
                )

        list(pool.map(repository, repos))
        for repo in repos:
            key = (repo.get("encryptionConfiguration") or {}).get("kmsKey")
            if key and key not in keys:
                keys.add(key)
                tolerant(kms.describe_key, KeyId=key)


def _child(kind: str) -> None:
    session, calls = _counting_session()
    start = time.perf_counter()
    if kind == "audit":
        from ecr_patterns.audit import audit, targets_for

        report = audit(targets_for([REGION]), session=session, max_workers=WORKERS)
        json.dumps(report.to_json(), default=str)
        size = len(report.repositories)
    else:
        _bare(session)
        size = REPOSITORIES
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "calls": dict(calls), "repositories": size}))


def _run(kind: str, endpoint: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_audit", kind],
        env=_environment(endpoint),
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from integ.emulator import Emulator

    with tempfile.TemporaryDirectory() as tmp, Emulator.start(Path(tmp) / "emulator.log") as emulator:
        seeded = _seed(emulator.endpoint_url)
        runs: dict[str, list[dict[str, Any]]] = {"audit": [], "bare": []}
        for round_ in range(ROUNDS):
            for kind in ("audit", "bare") if round_ % 2 == 0 else ("bare", "audit"):
                runs[kind].append(_run(kind, emulator.endpoint_url))
    audit_s = statistics.median(r["seconds"] for r in runs["audit"])
    bare_s = statistics.median(r["seconds"] for r in runs["bare"])
    audit_calls, bare_calls = Counter(runs["audit"][0]["calls"]), Counter(runs["bare"][0]["calls"])
    extra = audit_calls - bare_calls
    missing = bare_calls - audit_calls
    peak = max(r["peak_mb"] for r in runs["audit"])
    print(
        f"audit of {REPOSITORIES:,} repositories / {REPOSITORIES * IMAGES_PER_REPOSITORY:,} images in the emulator "
        f"(seeded in {seeded:.0f} s), {WORKERS} workers, median of {ROUNDS}: audit {audit_s:.2f} s, bare boto3 "
        f"{bare_s:.2f} s (target ratio 1.2: ratio {audit_s / bare_s:.2f}); API calls: audit "
        f"{sum(audit_calls.values()):,}, bare {sum(bare_calls.values()):,}, beyond the minimal set "
        f"{sum(extra.values())}, missing {sum(missing.values())}; audit peak {peak:.0f} MB (target 500 MB: ratio "
        f"{peak / 500:.2f})",
        flush=True,
    )
    if extra or missing:
        raise SystemExit(f"the audit's calls differ from the minimal set: extra {dict(extra)}, missing {dict(missing)}")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _child(sys.argv[1])
    else:
        main()
