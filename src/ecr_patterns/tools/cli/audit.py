"""``ecr-patterns audit``: the click command. Imports only click at load time, so the other commands start
fast; the audit itself (boto3, the rules, the preview) loads when the command runs.

Exit codes: 0 no finding at the ``--fail-on`` level; 1 findings at that level (with ``--baseline``, new ones);
2 a bad argument or file (one line on stderr).
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ecr_patterns.core.files import TextFileError, read_text
from ecr_patterns.tools.cli._output import check_output, write_atomically
from ecr_patterns.tools.cli._usage import UsageProblem

if TYPE_CHECKING:
    from ecr_patterns.tools.audit.effect import Prices
    from ecr_patterns.tools.audit.reader import Target
    from ecr_patterns.tools.audit.report import AuditReport

FORMATS = ("table", "json", "sarif", "asff", "html")


def _accounts(accounts: str | None, accounts_file: Path | None) -> list[str]:
    found = [a.strip() for a in (accounts or "").split(",") if a.strip()]
    if accounts_file is not None:
        try:
            text = read_text(accounts_file)
        except TextFileError as err:
            raise UsageProblem(f"accounts file: {err}") from None
        found += [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]
    return found


@click.command("audit")
@click.option("--region", "regions", multiple=True, help="A region to audit (repeatable).")
@click.option("--all-regions", is_flag=True, help="Every region where ECR is offered (botocore's endpoint data).")
@click.option(
    "--role-arn",
    "role_arns",
    multiple=True,
    help="A role to assume per account (repeatable), or one ARN with {account} filled from --accounts.",
)
@click.option("--accounts", help="Comma-separated account ids for a --role-arn with {account}.")
@click.option("--accounts-file", type=click.Path(path_type=Path, dir_okay=False), help="One account id a line.")
@click.option("--repository-prefix", help="Only repositories whose name starts with this.")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", "output", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not stdout.")
@click.option("--fail-on", type=click.Choice(("error", "warning", "never")), default="error", show_default=True)
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False), help="A previous JSON report.")
@click.option("--require-kms", is_flag=True, help="AES256 is a finding.")
@click.option("--require-customer-managed-key", is_flag=True, help="aws/ecr is a finding too (Security Hub ECR.5).")
@click.option("--layers", is_flag=True, help="Read every image manifest to count bytes per unique layer.")
@click.option(
    "--prices",
    "prices_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help='JSON {"standardPerGbMonth": .., "archivePerGbMonth": .., "restorePerGb": ..} (USD).',
)
@click.option("--max-workers", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--now", help="Evaluation time of the lifecycle preview, ISO 8601 (default: now, UTC).")
def command(
    regions: tuple[str, ...],
    all_regions: bool,
    role_arns: tuple[str, ...],
    accounts: str | None,
    accounts_file: Path | None,
    repository_prefix: str | None,
    output_format: str,
    output: Path | None,
    fail_on: str,
    baseline: Path | None,
    require_kms: bool,
    require_customer_managed_key: bool,
    layers: bool,
    prices_file: Path | None,
    max_workers: int,
    now: str | None,
) -> None:
    """Audit every repository of the given accounts and regions (read-only): the compliance rules, the other
    tools' verdicts, and what each lifecycle policy really does."""
    from ecr_patterns.core.compliance.engine import ComplianceConfig

    # The output path, --now, the baseline and the prices first: a bad one is exit 2 before anything is read.
    check_output(output, "--output")
    moment = _evaluation_time(now)
    previous = _read_baseline(baseline)
    prices = _read_prices(prices_file)
    session, chosen = _session_and_regions(regions, all_regions)
    targets = _targets(chosen, role_arns, accounts, accounts_file)
    config = ComplianceConfig.build(require_kms=require_kms, require_customer_managed_key=require_customer_managed_key)
    from ecr_patterns.tools.audit.run import audit

    def read(on_progress: Callable[[int, int], None] | None) -> AuditReport:
        return audit(
            targets,
            session=session,
            config=config,
            repository_prefix=repository_prefix,
            now=moment,
            max_workers=max_workers,
            on_progress=on_progress,
            layers=layers,
            prices=prices,
        )

    report = _audit(read)
    data = _against_baseline(report, previous)
    _write(output_format, output, report, data, against_baseline=previous is not None)
    raise click.exceptions.Exit(report.exit_code(fail_on))


def _evaluation_time(now: str | None) -> datetime | None:
    """``--now`` as a datetime; a trailing ``Z`` is accepted because that is how most tools print UTC."""
    if now is None:
        return None
    try:
        return datetime.fromisoformat(now.replace("Z", "+00:00"))
    except ValueError:
        raise UsageProblem(f"--now {now!r} is not an ISO 8601 time such as 2026-01-31T12:00:00Z") from None


def _read_baseline(baseline: Path | None) -> dict[str, Any] | None:
    """The previous JSON report, refused unless it looks like one, so a wrong file is exit 2 and not a run whose
    every finding counts as new."""
    if baseline is None:
        return None
    try:
        previous = json.loads(read_text(baseline))
    except (TextFileError, json.JSONDecodeError) as err:
        raise UsageProblem(f"cannot read the baseline {baseline}: {err}") from None
    if not isinstance(previous, dict) or "findings" not in previous:
        raise UsageProblem(f"the baseline {baseline} is not an ecr-patterns audit JSON report")
    return previous


def _read_prices(prices_file: Path | None) -> Prices | None:
    """``--prices``, read before the audit so a malformed file fails fast and not after every repository is read."""
    from ecr_patterns.tools.audit.effect import Prices

    if prices_file is None:
        return None
    try:
        return Prices.from_json(json.loads(read_text(prices_file)))
    except (json.JSONDecodeError, ValueError, AttributeError, TypeError) as err:
        raise UsageProblem(f"cannot read the prices {prices_file}: {err}") from None


def _session_and_regions(regions: tuple[str, ...], all_regions: bool) -> tuple[Any, list[str]]:
    """The boto3 session and the regions to read: boto3 is optional (the ``aws`` extra), so its absence is a usage
    problem; without ``--region`` the session's default region is audited."""
    try:
        import boto3
    except ImportError:
        raise UsageProblem("the audit needs boto3: pip install 'ecr-patterns[aws]'") from None
    session = boto3.Session()
    chosen = list(regions)
    if all_regions:
        chosen += session.get_available_regions("ecr")
    elif not chosen and session.region_name:
        chosen = [session.region_name]
    return session, chosen


def _targets(
    chosen: list[str], role_arns: tuple[str, ...], accounts: str | None, accounts_file: Path | None
) -> list[Target]:
    """Every (region, role) to read; a role ARN with ``{account}`` is a template filled from the accounts, and the
    others are assumed as they are."""
    from ecr_patterns.core.errors import ValidationError
    from ecr_patterns.tools.audit.run import targets_for

    template = next((r for r in role_arns if "{account}" in r), None)
    plain = [r for r in role_arns if "{account}" not in r]
    try:
        return targets_for(
            chosen,
            role_arns=plain,
            role_arn_template=template,
            accounts=_accounts(accounts, accounts_file),
        )
    except ValidationError as err:
        raise UsageProblem.of(err) from None


def _audit(read: Callable[[Callable[[int, int], None] | None], AuditReport]) -> AuditReport:
    """The audit itself (``read(on_progress)``); a repository that cannot be reached at all is a usage problem
    (exit 2), not a finding."""
    from ecr_patterns.core.lifecycle.live import LiveRepositoryError

    try:
        return _run(read)
    except LiveRepositoryError as err:
        raise UsageProblem(str(err)) from None


def _against_baseline(report: AuditReport, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The report's JSON, and with a baseline only the new findings kept on the report, so the output and the exit
    code judge what changed; the JSON keeps every finding and adds the new and fixed ones."""
    from ecr_patterns.tools.audit.report import compare_to_baseline

    data = report.to_json()
    findings = report.findings
    if previous is not None:
        new, fixed = compare_to_baseline(report.findings, previous)
        data["baseline"] = {"new": [f.to_json() for f in new], "fixed": fixed}
        findings = new
    report.findings = findings
    return data


def _write(
    output_format: str, output: Path | None, report: AuditReport, data: dict[str, Any], *, against_baseline: bool
) -> None:
    """The report to ``--output`` or stdout; the table is printed with rich, wide when not on a terminal so
    redirected output is not wrapped at 80 columns."""
    text = _render(output_format, report, data)
    if text is None:
        from rich.console import Console

        from ecr_patterns.tools.audit.render import print_report

        if output is not None:
            buffer = io.StringIO()
            print_report(report, Console(file=buffer, width=160))
            write_atomically(output, buffer.getvalue())
        else:
            print_report(report, Console(width=160 if not sys.stdout.isatty() else None))
        if against_baseline:
            click.echo(f"Against the baseline: {len(report.findings)} new, {len(data['baseline']['fixed'])} fixed.")
    elif output is not None:
        write_atomically(output, text + "\n")
    else:
        click.echo(text)


def _render(output_format: str, report: Any, data: dict[str, Any]) -> str | None:
    """The report as text in ``output_format``; ``None`` for the table (printed with rich)."""
    if output_format == "json":
        return json.dumps(data, indent=2, default=str)
    if output_format == "sarif":
        from ecr_patterns.tools.audit.sarif import to_sarif

        return json.dumps(to_sarif(report), indent=2)
    if output_format == "asff":
        from ecr_patterns.tools.audit.asff import to_asff

        return json.dumps(to_asff(report), indent=2)
    if output_format == "html":
        from ecr_patterns.tools.audit.html import to_html

        return to_html(report)
    return None


def _run(read: Callable[[Callable[[int, int], None] | None], AuditReport]) -> AuditReport:
    """The audit, with a progress bar on a terminal (stderr)."""
    if not sys.stderr.isatty():
        return read(None)
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("reading repositories", total=None)

        def advance(done: int, found: int) -> None:
            progress.update(task, completed=done, total=found)

        return read(advance)
