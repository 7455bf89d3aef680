"""Shared timing helpers for whole-process benchmarks: paired, alternating runs."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def time_process(argv: Sequence[str]) -> float:
    """Wall time of one app process, with its own cloud-assembly folder (as ``cdk synth`` runs it)."""
    with tempfile.TemporaryDirectory() as out:
        env = bench_env()
        env["CDK_OUTDIR"] = out
        start = time.perf_counter()
        subprocess.run([sys.executable, *argv], env=env, check=True, capture_output=True, timeout=600)
        return time.perf_counter() - start


def paired(candidate: Sequence[str], baseline: Sequence[str], *, pairs: int) -> tuple[list[float], list[float]]:
    """Run candidate and baseline alternately (order flipped every pair) and return both timings."""
    time_process(baseline)  # warm the file cache and jsii's module cache
    cand, base = [], []
    for i in range(pairs):
        if i % 2 == 0:
            cand.append(time_process(candidate))
            base.append(time_process(baseline))
        else:
            base.append(time_process(baseline))
            cand.append(time_process(candidate))
    return cand, base


def report(label: str, cand: list[float], base: list[float], *, target: float | None = None) -> float:
    ratios = [c / b for c, b in zip(cand, base, strict=True)]
    ratio = statistics.median(ratios)
    verdict = "" if target is None else f"  target <= {target:.2f}: {'met' if ratio <= target else 'MISSED'}"
    print(
        f"{label}: median {statistics.median(cand):.2f} s vs {statistics.median(base):.2f} s, "
        f"median paired ratio {ratio:.3f} (min {min(ratios):.3f}, max {max(ratios):.3f}, n={len(ratios)}){verdict}",
        flush=True,
    )
    return ratio
