"""``ecr-patterns``: the command line (plain Python, never ``aws_cdk``; only click at load time).

One module per command group, each loading what it drives only when a command runs: ``lifecycle`` (validate and
preview policies offline), ``audit``, ``adopt``, ``bootstrap`` and ``catalog``.

Exit codes: 0 success; 1 what the command checks failed (an invalid policy, findings at the ``--fail-on`` level,
a failing bootstrap, a blocking catalog change); 2 a bad file or argument (one line on stderr, never a traceback).
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from ecr_patterns.tools.cli import adopt, audit, bootstrap, catalog, lifecycle


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecr-patterns")
def cli() -> None:
    """ecr-patterns: tools for Amazon ECR repositories."""


for _command in (lifecycle.group, audit.command, adopt.command, bootstrap.group, catalog.group):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point (``ecr-patterns``, ``python -m ecr_patterns.tools.cli``); returns the exit code."""
    try:
        rc = cli.main(args=list(argv) if argv is not None else None, prog_name="ecr-patterns", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.Abort:
        click.echo("ecr-patterns: aborted", err=True)
        return 2
    except click.UsageError as err:
        click.echo(f"ecr-patterns: error: {err.format_message()}", err=True)
        return 2
    except click.ClickException as err:
        click.echo(f"ecr-patterns: error: {err.format_message()}", err=True)
        return err.exit_code
    return rc if isinstance(rc, int) else 0


__all__ = ["main"]
