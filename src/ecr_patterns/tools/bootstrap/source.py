"""The CDK CLI's own bootstrap template: ``cdk bootstrap --show-template`` with the CLI found (plain Python)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from ecr_patterns.core.errors import EcrPatternsError


class BootstrapSourceError(EcrPatternsError):
    """The CDK CLI could not be found or could not print its template."""


def find_cdk_cli(start: Path | None = None) -> str:
    """``node_modules/.bin/cdk`` in ``start`` or a parent folder (the project's pinned CLI), else ``cdk`` on PATH.

    :param start: default ``None``: the current directory.
    :raises BootstrapSourceError: no CDK CLI.
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "node_modules" / ".bin" / "cdk"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which("cdk")
    if found:
        return found
    raise BootstrapSourceError(
        "no CDK CLI found (node_modules/.bin/cdk or cdk on PATH): install aws-cdk, or give the template with --from"
    )


def cli_bootstrap_template(cli: str | None = None) -> str:
    """What ``cdk bootstrap --show-template`` prints: the CLI's template for its own bootstrap version.

    :param cli: default ``None``: :func:`find_cdk_cli`.
    :raises BootstrapSourceError: the CLI is missing or fails.
    """
    command = [cli or find_cdk_cli(), "bootstrap", "--show-template", "--no-notices"]
    # Printing the template reads nothing from AWS; the SDK must still never probe the metadata address.
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true", "CDK_DISABLE_CLI_TELEMETRY": "true"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    except OSError as err:
        raise BootstrapSourceError(f"cannot run {command[0]}: {err}") from None
    if done.returncode != 0 or "Resources:" not in done.stdout:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BootstrapSourceError(f"`cdk bootstrap --show-template` failed ({done.returncode}): {last}")
    return done.stdout
