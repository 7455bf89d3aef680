"""Issue 2: whole-process synth of 100 SecureRepository vs 100 plain aws_ecr.Repository with
the same settings, run alternately; prints the median paired ratio (target <= 1.05)."""

from __future__ import annotations

import os

from bench._runner import ROOT, paired, report

APP = str(ROOT / "bench" / "synth_app.py")


def main() -> None:
    count = 100
    pairs = int(os.environ.get("BENCH_PAIRS", "9"))
    cand, base = paired([APP, "secure", str(count)], [APP, "plain", str(count)], pairs=pairs)
    report(f"synth {count} SecureRepository / {count} plain Repository", cand, base, target=1.05)
