"""The real CDK CLI (``node_modules/.bin/cdk``), run for a :class:`~integ.target.Target` with a
timeout on every step, so a hang fails fast instead of stalling the suite."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from integ.target import AWS, EMULATOR, ROOT, Target

CDK = ROOT / "node_modules" / ".bin" / "cdk"
TIMEOUTS = {EMULATOR: 120.0, AWS: 1200.0}
"""Seconds per CLI step: a step takes 2-10 s against the emulator, minutes against an account."""


class CdkCliError(RuntimeError):
    """A CLI step failed or timed out; the message ends with the step's output."""


class CdkCli:
    """Runs ``cdk`` in ``workdir`` (a directory with no ``cdk.json``) with the target's environment.

    Deploys and destroys take a synthesized cloud assembly directory as ``--app``, so the CLI does
    not synthesize again: the suite synthesizes each app once, in its own process.
    """

    def __init__(self, target: Target, workdir: Path, executable: Path = CDK) -> None:
        if not executable.exists():
            raise CdkCliError(f"the CDK CLI is not installed at {executable}: run `make setup` (npm ci)")
        self.target = target
        self.workdir = workdir
        self.executable = executable
        self.timeout = TIMEOUTS[target.mode]

    def run(self, args: Sequence[str], *, timeout: float) -> str:
        """Run ``cdk ARGS --no-notices`` and return its output.

        :raises CdkCliError: on a non-zero exit, or after ``timeout`` seconds (the CLI and every
            process it started are killed through their process group).
        """
        command = [str(self.executable), *args, "--no-notices"]
        process = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=dict(self.target.cli_environment),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            # The group id is the CLI's own PID (start_new_session): only what this call started.
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            raise CdkCliError(
                f"`cdk {' '.join(args)}` did not finish within {timeout:.0f} s:\n{_tail(output)}"
            ) from None
        if process.returncode != 0:
            raise CdkCliError(f"`cdk {' '.join(args)}` exited with {process.returncode}:\n{_tail(output)}")
        return output.decode(errors="replace")

    def bootstrap(self) -> str:
        return self.run(["bootstrap", f"aws://{self.target.account}/{self.target.region}"], timeout=self.timeout)

    def deploy(self, assembly: Path) -> str:
        # --method=direct: the emulator loses stack outputs on change-set creates.
        return self.run(
            ["deploy", "--app", str(assembly), "--all", "--method=direct", "--require-approval", "never"],
            timeout=self.timeout,
        )

    def destroy(self, assembly: Path) -> str:
        return self.run(["destroy", "--app", str(assembly), "--all", "--force"], timeout=self.timeout)


def _tail(output: bytes, chars: int = 6000) -> str:
    return output.decode(errors="replace")[-chars:]
