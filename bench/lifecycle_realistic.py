"""Issue 24: the preview on a realistic repository, given as files the way AWS tools print them.

``aws ecr describe-images`` output of 100,000 images (ISO 8601 times as AWS CLI v2 prints them, every field
describe-images gives), about 2.5 % image indexes with 2-4 children each (a few indexes of indexes), referrer
chains (signatures, SBOMs, signatures of SBOMs), 14 % archived or restored images, and the indexes' manifests
as ``aws ecr batch-get-image`` prints them; a 40-rule policy over both storage classes.

Measured in one run, each in a fresh process: ``json.load`` of the images file (the floor: no preview can
read the file faster), ``preview_lifecycle_policy`` in process (the first and the fifth call on the loaded
file), and ``ecr-patterns lifecycle preview --images … --manifests …`` as a whole process, with the table and
with ``--json``, each with its peak resident memory.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

IMAGES = 100_000
NOW = datetime(2026, 6, 1, tzinfo=UTC)
REGISTRY, REPOSITORY = "123456789012", "platform/services"
SERVICES = [f"svc{i:02d}" for i in range(24)]
ENVS = ["prod", "staging", "dev", "feature"]
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
SIGNATURE = "application/vnd.cncf.notary.signature"
SBOM = "application/spdx+json"

TARGET_CALL, TARGET_TABLE, TARGET_JSON, TARGET_MB = 0.6, 2.0, 3.0, 400.0


def _iso(moment: datetime) -> str:
    """As AWS CLI v2 prints a time: microseconds and an offset."""
    return moment.isoformat(timespec="microseconds")


class _Repository:
    """Builds the images in push order; digests are unique hex strings."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.images: list[dict[str, Any]] = []
        self.children: dict[str, list[str]] = {}

    def digest(self) -> str:
        return f"sha256:{self.rng.getrandbits(256):064x}"

    def add(self, tags: list[str], pushed: datetime, media: str, size: int, **extra: Any) -> dict[str, Any]:
        image: dict[str, Any] = {
            "registryId": REGISTRY,
            "repositoryName": REPOSITORY,
            "imageDigest": self.digest(),
            "imageSizeInBytes": size,
            "imagePushedAt": _iso(pushed),
            "imageManifestMediaType": media,
            "artifactMediaType": "application/vnd.oci.image.config.v1+json",
            "imageStatus": "ACTIVE",
            **extra,
        }
        if tags:
            image["imageTags"] = tags
        self.images.append(image)
        return image

    def tags(self, i: int) -> list[str]:
        rng = self.rng
        if rng.random() < 0.3:
            return []
        svc, env = rng.choice(SERVICES), rng.choice(ENVS)
        tags = [f"{svc}-{env}-{i}"]
        if rng.random() < 0.3:
            tags.append(f"v{rng.randrange(1, 4)}.{rng.randrange(0, 20)}.{rng.randrange(0, 50)}")
        if rng.random() < 0.1:
            tags.append(f"{svc}-rc{rng.randrange(1, 9)}")
        return tags

    def lifecycle(self, image: dict[str, Any], pushed: datetime) -> None:
        """Pulls for half the images; 11 % archived (a few still being restored), 3 % restored."""
        rng = self.rng
        if rng.random() < 0.5:
            image["lastRecordedPullTime"] = _iso(min(NOW, pushed + timedelta(days=rng.randrange(0, 120))))
        roll = rng.random()
        if roll < 0.11:
            image["imageStatus"] = "ARCHIVED" if roll < 0.105 else "ACTIVATING"
            image["lastArchivedAt"] = _iso(pushed + (NOW - pushed) * rng.random())
        elif roll < 0.14:
            image["lastArchivedAt"] = _iso(pushed + (NOW - pushed) * 0.5)
            image["lastActivatedAt"] = _iso(NOW - timedelta(hours=rng.randrange(1, 60 * 24)))


def make_repository(count: int = IMAGES, seed: int = 24) -> tuple[dict[str, Any], dict[str, Any]]:
    """``describe-images`` output and ``batch-get-image`` output for the indexes."""
    repo = _Repository(seed)
    rng = repo.rng
    i = 0
    while len(repo.images) < count:
        pushed = NOW - timedelta(seconds=rng.randrange(0, 2 * 365 * 86_400))
        roll = rng.random()
        if roll < 0.025:  # an index of 2-4 platform images (a few of them an index of indexes)
            kids = [
                repo.add([], pushed, OCI_MANIFEST, rng.randrange(10**7, 4 * 10**8)) for _ in range(rng.randrange(2, 5))
            ]
            if rng.random() < 0.05 and repo.children:
                kids.append(repo.images[-len(kids) - 1])  # not an index: the image pushed just before
            index = repo.add(repo.tags(i), pushed, OCI_INDEX, 2_000)
            repo.children[index["imageDigest"]] = [k["imageDigest"] for k in kids]
            target = index
        else:
            target = repo.add(repo.tags(i), pushed, DOCKER_MANIFEST, rng.randrange(10**7, 5 * 10**8))
            repo.lifecycle(target, pushed)
        if rng.random() < 0.06:  # a signature; sometimes an SBOM with its own signature (a chain)
            at = pushed + timedelta(seconds=30)
            repo.add(
                [], at, OCI_MANIFEST, 900, subjectManifestDigest=target["imageDigest"], artifactMediaType=SIGNATURE
            )
            if rng.random() < 0.4:
                sbom = repo.add(
                    [], at, OCI_MANIFEST, 90_000, subjectManifestDigest=target["imageDigest"], artifactMediaType=SBOM
                )
                repo.add(
                    [], at, OCI_MANIFEST, 900, subjectManifestDigest=sbom["imageDigest"], artifactMediaType=SIGNATURE
                )
        i += 1
    del repo.images[count:]
    listed = {img["imageDigest"] for img in repo.images}
    manifests = [
        {
            "registryId": REGISTRY,
            "repositoryName": REPOSITORY,
            "imageId": {"imageDigest": parent},
            "imageManifest": json.dumps(
                {
                    "schemaVersion": 2,
                    "mediaType": OCI_INDEX,
                    "manifests": [{"mediaType": OCI_MANIFEST, "digest": k, "size": 1_000} for k in kids],
                }
            ),
            "imageManifestMediaType": OCI_INDEX,
        }
        for parent, kids in repo.children.items()
        if parent in listed
    ]
    rng.shuffle(repo.images)  # describe-images promises no order
    return {"imageDetails": repo.images}, {"images": manifests, "failures": []}


def make_policy() -> dict[str, Any]:
    """40 rules: 26 over standard images (prefixes, patterns, pulls, untagged, any last), then 6 over archived
    images (any last)."""
    rules: list[dict[str, Any]] = []
    for k, svc in enumerate(SERVICES[:16]):
        env = ENVS[k % 2]
        age = {"countType": "sinceImagePushed", "countUnit": "days", "countNumber": 60}
        sel = {"countType": "imageCountMoreThan", "countNumber": 20} if env == "prod" else age
        rules.append({"selection": {"tagStatus": "tagged", "tagPrefixList": [f"{svc}-{env}"], **sel}})
    patterns = [f"{svc}-*-rc*" for svc in SERVICES[16:22]] + ["v1.*.*", "*-feature-*", "*rc1", "v2.1*"]
    for pattern in patterns:
        rules.append(
            {
                "selection": {
                    "tagStatus": "tagged",
                    "tagPatternList": [pattern],
                    "countType": "sinceImagePushed",
                    "countUnit": "days",
                    "countNumber": 30,
                }
            }
        )
    archive = {"type": "transition", "targetStorageClass": "archive"}
    for svc in SERVICES[16:22]:
        pulled = {"countType": "sinceImagePulled", "countUnit": "days", "countNumber": 90}
        rules.append(
            {"selection": {"tagStatus": "tagged", "tagPrefixList": [f"{svc}-dev"], **pulled}, "action": archive}
        )
    rules.append(
        {
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": 14,
            }
        }
    )
    rules.append({"selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30_000}})
    since_archived = {"storageClass": "archive", "countType": "sinceImageTransitioned", "countUnit": "days"}
    for svc in SERVICES[:4]:
        rules.append(
            {"selection": {"tagStatus": "tagged", "tagPrefixList": [svc], **since_archived, "countNumber": 180}}
        )
    rules.append({"selection": {"tagStatus": "untagged", **since_archived, "countNumber": 90}})
    rules.append({"selection": {"tagStatus": "any", **since_archived, "countNumber": 365}})
    return {
        "rules": [
            {"rulePriority": p, **r, "action": r.get("action", {"type": "expire"})}
            for p, r in enumerate(rules, start=1)
        ]
    }


def write_files(folder: Path) -> tuple[Path, Path, Path]:
    images, manifests = make_repository()
    paths = folder / "policy.json", folder / "images.json", folder / "manifests.json"
    paths[0].write_text(json.dumps(make_policy(), indent=2))
    paths[1].write_text(json.dumps(images, indent=4))  # indented, as the AWS CLI prints
    paths[2].write_text(json.dumps(manifests, indent=4))
    return paths


def _in_process(folder: str) -> None:
    """Child: json.load the file, then five preview calls on it; prints the figures as JSON."""
    import resource

    from ecr_patterns.core.lifecycle.live import index_children_from_manifests
    from ecr_patterns.lifecycle import preview_lifecycle_policy

    policy_path, images_path, manifests_path = (
        Path(folder) / n for n in ("policy.json", "images.json", "manifests.json")
    )
    start = time.perf_counter()
    with images_path.open(encoding="utf-8") as handle:
        details = json.load(handle)["imageDetails"]
    load = time.perf_counter() - start
    children = index_children_from_manifests(json.loads(manifests_path.read_text())["images"])
    policy = policy_path.read_text()
    calls, counts = [], None
    for _ in range(5):
        start = time.perf_counter()
        result = preview_lifecycle_policy(policy, details, now=NOW, index_children=children)
        calls.append(time.perf_counter() - start)
        counts = (result["summary"]["expiringImageTotalCount"], result["totals"]["dueSoonImageCount"])
        del result
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"load": load, "calls": calls, "peak_mb": peak, "counts": counts, "images": len(details)}))


def _process(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one whole process (its own rusage, by wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[:6]} failed: {child.stderr.read().decode() if child.stderr else ''}")
    if child.stderr:
        child.stderr.close()
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        here = [sys.executable, "-m", "bench.lifecycle_realistic"]
        # Written by a child: a process forked from a parent holding the repository would report the parent's
        # resident peak as its own (Linux carries ru_maxrss over exec).
        subprocess.run([*here, "--write", tmp], check=True)
        policy, images, manifests = (folder / n for n in ("policy.json", "images.json", "manifests.json"))
        size_mb = images.stat().st_size / 1e6
        runs = [
            json.loads(subprocess.run([*here, tmp], capture_output=True, text=True, check=True).stdout)
            for _ in range(3)
        ]
        load = statistics.median(r["load"] for r in runs)
        first = statistics.median(r["calls"][0] for r in runs)
        fifth = statistics.median(r["calls"][4] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        expiring, due = runs[0]["counts"]
        print(
            f"realistic repository: {runs[0]['images']:,} images in a {size_mb:.0f} MB describe-images file, "
            f"40 rules; {expiring:,} would expire, {due:,} due soon",
            flush=True,
        )
        print(
            f"  in process: json.load {load:.3f} s (the floor); preview first call {first:.3f} s "
            f"({first / load:.2f}x json.load; target {TARGET_CALL} s: ratio {first / TARGET_CALL:.2f}), "
            f"fifth call {fifth:.3f} s ({fifth / first:.2f}x the first; ratio {fifth / TARGET_CALL:.2f}); "
            f"process peak {peak:.0f} MB; median of 3 processes",
            flush=True,
        )
        cli = [sys.executable, "-m", "ecr_patterns.tools.cli", "lifecycle", "preview", "--policy", str(policy)]
        cli += ["--images", str(images), "--manifests", str(manifests), "--now", NOW.isoformat()]
        floor = [sys.executable, "-c", f"import json; json.load(open({str(images)!r}))"]
        variants = {"json.load": floor, "table": cli, "--json": [*cli, "--json"]}
        _process(cli)  # warm the file cache
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        for round_ in range(3):
            names = list(variants)[round_ % 3 :] + list(variants)[: round_ % 3]
            for name in names:
                timings[name].append(_process(variants[name]))
        base = statistics.median(t for t, _ in timings["json.load"])
        parts = [f"json.load process {base:.2f} s (peak {max(m for _, m in timings['json.load']):.0f} MB)"]
        for name, target in (("table", TARGET_TABLE), ("--json", TARGET_JSON)):
            wall = statistics.median(t for t, _ in timings[name])
            mb = max(m for _, m in timings[name])
            parts.append(
                f"{name} {wall:.2f} s ({wall / base:.2f}x json.load; target {target} s: ratio {wall / target:.2f}), "
                f"peak {mb:.0f} MB (target {TARGET_MB:.0f}: ratio {mb / TARGET_MB:.2f})"
            )
        print("  whole CLI process, median of 3: " + "; ".join(parts), flush=True)


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--write":
        write_files(Path(sys.argv[2]))
    elif len(sys.argv) > 1:
        _in_process(sys.argv[1])
    else:
        main()
