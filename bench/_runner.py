"""Shared timing helpers for whole-process benchmarks: variants run in rounds, the order rotated each round."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Timing:
    wall: float
    """Seconds from start to exit: what a user waits for (the figure the targets are about)."""
    cpu: float
    """User + system seconds of the process and its children (Node included): steadier than wall time on a
    shared machine, blind to the time Python and Node spend waiting for each other."""


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    venv_bin = str(ROOT / ".venv" / "bin")
    env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
    env["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_process(argv: Sequence[str]) -> Timing:
    """One app process, with its own cloud-assembly folder (as ``cdk synth`` runs it)."""
    with tempfile.TemporaryDirectory() as out:
        env = bench_env()
        env["CDK_OUTDIR"] = out
        cpu, start = _children_cpu(), time.perf_counter()
        subprocess.run([sys.executable, *argv], env=env, check=True, capture_output=True, timeout=600)
        return Timing(time.perf_counter() - start, _children_cpu() - cpu)


def rounds(variants: Mapping[str, Sequence[str]], *, count: int) -> dict[str, list[Timing]]:
    """Run every variant once per round, the order rotated every round so that none always runs first or
    after the same neighbour; a variant's n-th timing pairs with the others' n-th (same round)."""
    names = list(variants)
    time_process(variants[names[0]])  # warm the file cache and jsii's module cache
    timings: dict[str, list[Timing]] = {name: [] for name in names}
    for i in range(count):
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            timings[name].append(time_process(variants[name]))
    return timings


def paired(candidate: Sequence[str], baseline: Sequence[str], *, pairs: int) -> tuple[list[Timing], list[Timing]]:
    """Candidate and baseline alternately, the order flipped every pair."""
    timings = rounds({"baseline": baseline, "candidate": candidate}, count=pairs)
    return timings["candidate"], timings["baseline"]


def report(label: str, cand: list[Timing], base: list[Timing], *, target: float | None = None) -> float:
    """Print the median paired wall-time ratio (judged against ``target``) and the CPU-time ratio."""
    ratios = [c.wall / b.wall for c, b in zip(cand, base, strict=True)]
    cpu = statistics.median(c.cpu / b.cpu for c, b in zip(cand, base, strict=True))
    ratio = statistics.median(ratios)
    verdict = "" if target is None else f"  target <= {target:.2f}: {'met' if ratio <= target else 'MISSED'}"
    print(
        f"{label}: median {statistics.median(c.wall for c in cand):.2f} s vs "
        f"{statistics.median(b.wall for b in base):.2f} s, median paired ratio {ratio:.3f} "
        f"(min {min(ratios):.3f}, max {max(ratios):.3f}, n={len(ratios)}; CPU time {cpu:.3f}){verdict}",
        flush=True,
    )
    return ratio
