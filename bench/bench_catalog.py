"""Issue 15: whole-process synth of catalogs of 200, 1,000 and 3,000 repositories, side by side with the same
SecureRepositorys written in a plain loop into the same stacks (target ratio <= 1.05 at each size); the marginal
time per repository at 3,000 within 1.15x of that at 200 (the fixed cost, an app with no repository, taken out);
peak memory; and ``ecr-patterns catalog plan`` of 3,000 entries as a whole process (target <= 1 s)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench._runner import ROOT, bench_env, rounds

APP = str(ROOT / "bench" / "catalog_app.py")
SIZES = (200, 1000, 3000)
TEAMS_OF = 300
"""Repositories per team (one shard stack each): 3,000 repositories are ten stacks, well under 500 resources."""


def write_catalog(path: Path, count: int) -> Path:
    teams = max(1, -(-count // TEAMS_OF))
    entries = [{"name": f"team{i % teams}/service-{i}", "team": f"team{i % teams}"} for i in range(count)]
    path.write_text(yaml.safe_dump({"teams": {f"team{t}": {} for t in range(teams)}, "repositories": entries}))
    return path


def _memory(argv: list[str]) -> dict[str, float]:
    env = bench_env()
    with tempfile.TemporaryDirectory() as out:
        env["CDK_OUTDIR"] = out
        done = subprocess.run([sys.executable, *argv], env=env, check=True, capture_output=True, text=True, timeout=900)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _plan_seconds(catalog: Path) -> float:
    command = [sys.executable, "-m", "ecr_patterns.tools.cli", "catalog", "plan", str(catalog)]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(command, env=bench_env(), check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    pairs = int(os.environ.get("CATALOG_PAIRS", "3"))
    with tempfile.TemporaryDirectory() as tmp:
        files = {n: write_catalog(Path(tmp) / f"catalog-{n}.yaml", n) for n in SIZES}
        empty = rounds({"empty": [APP, "empty", "0", str(files[SIZES[0]])]}, count=pairs)["empty"]
        fixed = statistics.median(t.wall for t in empty)
        marginal: dict[int, float] = {}
        for n in SIZES:
            timings = rounds(
                {"catalog": [APP, "catalog", str(n), str(files[n])], "loop": [APP, "loop", str(n), str(files[n])]},
                count=pairs,
            )
            cand, base = timings["catalog"], timings["loop"]
            ratio = statistics.median(c.wall / b.wall for c, b in zip(cand, base, strict=True))
            cpu = statistics.median(c.cpu / b.cpu for c, b in zip(cand, base, strict=True))
            wall = statistics.median(c.wall for c in cand)
            marginal[n] = (wall - fixed) / n
            memory = _memory([APP, "catalog", str(n), str(files[n])])
            print(
                f"catalog synth {n:,} repositories: median {wall:.2f} s vs plain loop "
                f"{statistics.median(b.wall for b in base):.2f} s, median paired ratio {ratio:.3f} (CPU {cpu:.3f}, "
                f"n={pairs}; target <= 1.05: {'met' if ratio <= 1.05 else 'MISSED'}); {marginal[n] * 1000:.1f} ms per "
                f"repository beyond the {fixed:.2f} s fixed cost; peak memory Python {memory['python_mb']:.0f} MB, "
                f"Node {memory['node_mb']:.0f} MB",
                flush=True,
            )
        growth = marginal[SIZES[-1]] / marginal[SIZES[0]]
        print(
            f"catalog time per repository at {SIZES[-1]:,} / at {SIZES[0]:,}: {growth:.2f} "
            f"(target <= 1.15: {'met' if growth <= 1.15 else 'MISSED'})",
            flush=True,
        )
        plan = _plan_seconds(files[SIZES[-1]])
        print(
            f"catalog plan of {SIZES[-1]:,} entries, whole process: median {plan:.2f} s "
            f"(target <= 1 s: {'met' if plan <= 1 else 'MISSED'})",
            flush=True,
        )


if __name__ == "__main__":
    main()
