"""The CLI's one error for a bad file or argument (plain Python; click only)."""

from __future__ import annotations

import click

from ecr_patterns.core.errors import ValidationError


class UsageProblem(click.ClickException):
    """A bad file or argument: one line, exit code 2."""

    exit_code = 2

    @classmethod
    def of(cls, err: ValidationError) -> UsageProblem:
        """Every violation of ``err`` on one line, each as :class:`~ecr_patterns.core.errors.Violation` prints it."""
        return cls("; ".join(str(v) for v in err.violations))
