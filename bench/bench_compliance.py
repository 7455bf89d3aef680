"""Issue 4: whole-process synth of 400 repositories + 400 topics with the compliance plugin and with the
Aspect, each against no check: every variant runs once per round (order rotated), and each ratio is the
median over rounds of variant / no check in the same round (targets 1.05 and 1.20)."""

from __future__ import annotations

import os

from bench._runner import ROOT, report, rounds

APP = str(ROOT / "bench" / "compliance_app.py")
CASES = {
    "plugin": ("EcrCompliancePlugin", 1.05),
    "aspect": ("EcrCompliance through add_compliance_everywhere (recommended)", 1.20),
    "aspect-everywhere": ("EcrCompliance through Aspects.of(app).add (visits every construct)", None),
    "noop-aspect": ("an Aspect whose visit merely returns (the floor of any Aspects.of Aspect)", None),
}


def main() -> None:
    count = int(os.environ.get("BENCH_PAIRS", "9"))
    timings = rounds({mode: [APP, mode] for mode in ("none", *CASES)}, count=count)
    for mode, (label, target) in CASES.items():
        report(
            f"synth 400 repositories + 400 topics, {label} / no check", timings[mode], timings["none"], target=target
        )
