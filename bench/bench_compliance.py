"""Issue 4: whole-process synth of 400 repositories + 400 topics with the compliance plugin and with
the Aspect, each against no check, median of paired alternating runs (targets 1.05 and 1.20)."""

from __future__ import annotations

import os

from bench._runner import ROOT, paired, report

APP = str(ROOT / "bench" / "compliance_app.py")


def main() -> None:
    pairs = int(os.environ.get("BENCH_PAIRS", "5"))
    cand, base = paired([APP, "plugin"], [APP, "none"], pairs=pairs)
    report("synth 400 repositories + 400 topics, plugin / no check", cand, base, target=1.05)
    cand, base = paired([APP, "aspect"], [APP, "none"], pairs=pairs)
    report("synth 400 repositories + 400 topics, Aspect / no check", cand, base, target=1.20)
    cand, base = paired([APP, "noop-aspect"], [APP, "none"], pairs=pairs)
    report("synth 400 repositories + 400 topics, an Aspect that merely returns / no check (the floor)", cand, base)
