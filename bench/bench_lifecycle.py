"""Issues 3 and 16: offline preview of 100,000 images against 50 rules (ECR's maximum) with every
documented semantic on, 10 % of the images being index children, referrers or restored images
(target <= 0.5 s first call, median of five fresh processes, <= 500 MB peak); validation of the 50-rule
policy (target <= 10 ms); and the CLI previewing 10,000 images as a whole process (target <= 0.5 s). Each runs
in a fresh process."""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

IMAGES = 100_000
NOW = datetime(2026, 6, 1, tzinfo=UTC)
SERVICES = [f"svc{i:02d}" for i in range(40)]
ENVS = ["prod", "staging", "dev", "feature"]


INDEX = "application/vnd.oci.image.index.v1+json"


def make_images(count: int, seed: int = 7) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """A busy registry's repository: service/env/build tags, semver releases, release candidates,
    30 % untagged images, push times over two years, half of them pulled at some point, sizes; and
    10 % of the images special: index children (two per tagged index), referrers (signatures of a
    tagged image) and restored images. Returns the images and the indexes' children."""
    rng = random.Random(seed)
    images: list[dict[str, Any]] = []
    children: dict[str, list[str]] = {}
    special = count // 10
    for i in range(count - special):
        pushed = NOW - timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        tags: list[str] = []
        if rng.random() > 0.3:
            svc, env = rng.choice(SERVICES), rng.choice(ENVS)
            tags.append(f"{svc}-{env}-{i}")
            if rng.random() < 0.3:
                tags.append(f"v{rng.randrange(1, 4)}.{rng.randrange(0, 20)}.{rng.randrange(0, 50)}")
            if rng.random() < 0.1:
                tags.append(f"{svc}-rc{rng.randrange(1, 9)}")
        image: dict[str, Any] = {
            "imageDigest": f"sha256:{i:064x}",
            "imageTags": tags,
            "imagePushedAt": pushed,
            "imageSizeInBytes": rng.randrange(10_000_000, 500_000_000),
        }
        if rng.random() < 0.5:
            image["lastRecordedPullTime"] = pushed + timedelta(days=rng.randrange(0, 90))
        images.append(image)
    tagged = [img for img in images if img["imageTags"]]
    n = count - special
    for k in range(special):
        digest = f"sha256:{n + k:064x}"
        host = tagged[rng.randrange(len(tagged))]
        kind = k % 3
        if kind == 0:  # a child of an index (the host becomes an index)
            host["imageManifestMediaType"] = INDEX
            children.setdefault(host["imageDigest"], []).append(digest)
            images.append(
                {"imageDigest": digest, "imagePushedAt": host["imagePushedAt"], "imageSizeInBytes": 5_000_000}
            )
        elif kind == 1:  # a referrer (a signature) of the host
            images.append(
                {
                    "imageDigest": digest,
                    "imagePushedAt": host["imagePushedAt"],
                    "subjectManifestDigest": host["imageDigest"],
                }
            )
        else:  # a restored image: pushed long ago, restored recently
            pushed = NOW - timedelta(days=rng.randrange(400, 700))
            images.append(
                {
                    "imageDigest": digest,
                    "imageTags": [f"restored-{k}"],
                    "imagePushedAt": pushed,
                    "lastActivatedAt": NOW - timedelta(days=rng.randrange(0, 30)),
                    "imageSizeInBytes": 50_000_000,
                }
            )
    return images, children


def make_policy() -> dict[str, Any]:
    """50 rules (ECR's maximum): 25 prefix rules, 23 pattern rules, an untagged age rule, an any count rule."""
    rules: list[dict[str, Any]] = []
    for i, svc in enumerate(SERVICES[:25]):
        env = ENVS[i % len(ENVS)]
        sel = (
            {"countType": "imageCountMoreThan", "countNumber": 50}
            if i % 2
            else {"countType": "sinceImagePushed", "countUnit": "days", "countNumber": 90}
        )
        rules.append({"selection": {"tagStatus": "tagged", "tagPrefixList": [f"{svc}-{env}"], **sel}})
    patterns = [f"{svc}-*-rc*" for svc in SERVICES[25:37]] + [f"v{m}.*.*" for m in (1, 2, 3)]
    patterns += [f"*-{env}-*9" for env in ENVS] + ["*-feature-*", "svc3*-dev-*", "*rc1", "*-staging-1*", "v1.1*.*"]
    for pattern in patterns[:23]:
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
    rules.append({"selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20_000}})
    return {"rules": [{"rulePriority": i + 1, **r, "action": {"type": "expire"}} for i, r in enumerate(rules)]}


def _child(kind: str) -> None:
    import resource

    from ecr_patterns.lifecycle import preview_lifecycle_policy, validate_lifecycle_policy

    policy = make_policy()
    if kind == "validate":
        validate_lifecycle_policy(policy)  # warm
        times = []
        for _ in range(200):
            start = time.perf_counter()
            validate_lifecycle_policy(policy)
            times.append(time.perf_counter() - start)
        print(json.dumps({"seconds": statistics.median(times), "rules": len(policy["rules"])}))
        return
    images, children = make_images(IMAGES)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    result = preview_lifecycle_policy(policy, images, now=NOW, index_children=children)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    del result
    start = time.perf_counter()
    result = preview_lifecycle_policy(policy, images, now=NOW, index_children=children)
    warm = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "warm_seconds": warm,
                "peak_mb": peak / 1024,
                "before_mb": before / 1024,
                "expiring": result["summary"]["expiringImageTotalCount"],
                "rules": len(policy["rules"]),
            }
        )
    )


def _cli_seconds(tmp: str) -> float:
    """Whole-process time of ``ecr-patterns lifecycle preview`` on 10,000 images (files written first)."""
    from pathlib import Path

    images, _ = make_images(10_000)
    policy_path, images_path = Path(tmp) / "policy.json", Path(tmp) / "images.json"
    policy_path.write_text(json.dumps(make_policy()))
    images_path.write_text(json.dumps({"imageDetails": images}, default=lambda d: d.isoformat()))
    command = [sys.executable, "-m", "ecr_patterns.tools.cli", "lifecycle", "preview", "--policy", str(policy_path)]
    command += ["--images", str(images_path), "--now", NOW.isoformat()]
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=120)
    return time.perf_counter() - start


def _run(kind: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.bench_lifecycle", kind], capture_output=True, text=True, check=True, timeout=600
    ).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def main() -> None:
    runs = [_run("preview") for _ in range(5)]
    seconds = statistics.median(r["seconds"] for r in runs)
    fastest, slowest = min(r["seconds"] for r in runs), max(r["seconds"] for r in runs)
    warm = statistics.median(r["warm_seconds"] for r in runs)
    peak = max(r["peak_mb"] for r in runs)
    first = runs[0]
    print(
        f"preview {IMAGES:,} images x {first['rules']} rules: first call in a fresh process median {seconds:.3f} s "
        f"of 5 ({fastest:.3f}-{slowest:.3f}; target 0.5 s: ratio {seconds / 0.5:.2f}), second call {warm:.3f} s "
        f"(ratio {warm / 0.5:.2f}); "
        f"process peak {peak:.0f} MB incl. the input ({first['before_mb']:.0f} MB before the preview; "
        f"target 500 MB: ratio {peak / 500:.2f}); {first['expiring']:,} images would expire",
        flush=True,
    )
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cli = statistics.median(_cli_seconds(tmp) for _ in range(5))
    print(
        f"cli preview of 10,000 images (table: per-rule summary, first 50 affected images), whole process: "
        f"median {cli:.3f} s of 5 (target 0.5 s: ratio {cli / 0.5:.2f})",
        flush=True,
    )
    validation = _run("validate")
    ms = validation["seconds"] * 1000
    print(
        f"validate a {validation['rules']}-rule policy: median {ms:.2f} ms (target 10 ms: ratio {ms / 10:.3f})",
        flush=True,
    )
    from bench import lifecycle_realistic

    lifecycle_realistic.main()  # issue 24: describe-images and batch-get-image files, in process and CLI


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _child(sys.argv[1])
    else:
        main()
