"""Errors raised by ecr-patterns.

Plain Python (no ``aws_cdk`` import) so the lifecycle engine and the CLI can use them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Violation:
    """One problem found in user input.

    ``where`` locates it (a property name, or ``rule 2`` in a lifecycle policy),
    ``field`` names the offending field, ``value`` echoes what was received and
    ``fix`` says how to correct it.
    """

    field: str
    value: object
    fix: str
    where: str | None = None

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{place}{self.field}={self.value!r}: {self.fix}"


class EcrPatternsError(Exception):
    """Base class of every error this library raises."""


class ValidationError(EcrPatternsError, ValueError):
    """Bad input, found at synth time before anything deploys.

    Carries every :class:`Violation` found, so one run shows all of them.
    """

    def __init__(self, violations: Iterable[Violation], *, context: str | None = None) -> None:
        self.violations: tuple[Violation, ...] = tuple(violations)
        if not self.violations:
            raise ValueError("ValidationError needs at least one violation")
        self.context = context
        super().__init__(self._render())

    @classmethod
    def single(cls, field: str, value: object, fix: str, *, where: str | None = None) -> ValidationError:
        """An error for one bad value."""
        return cls([Violation(field=field, value=value, fix=fix, where=where)])

    def _render(self) -> str:
        head = f"{self.context}: " if self.context else ""
        if len(self.violations) == 1:
            return head + str(self.violations[0])
        lines = [f"{head}{len(self.violations)} problems:"]
        lines += [f"  - {v}" for v in self.violations]
        return "\n".join(lines)
