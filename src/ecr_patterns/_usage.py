"""The CLI's one error for a bad file or argument (plain Python; click only)."""

from __future__ import annotations

import click


class UsageProblem(click.ClickException):
    """A bad file or argument: one line, exit code 2."""

    exit_code = 2
