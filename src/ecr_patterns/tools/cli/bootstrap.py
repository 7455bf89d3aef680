"""``ecr-patterns bootstrap template`` and ``ecr-patterns bootstrap check`` (click). Imports only click at load
time; the work loads when a command runs.

Exit codes: 0 done (``check``: every bootstrap passes); 1 ``check`` found a failing bootstrap; 2 a bad argument,
file or template (one line on stderr).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ecr_patterns.core.files import TextFileError, read_text
from ecr_patterns.tools.cli._output import check_output, write_atomically
from ecr_patterns.tools.cli._usage import UsageProblem

if TYPE_CHECKING:
    from ecr_patterns.tools.bootstrap.check import BootstrapStatus


@click.group("bootstrap")
def group() -> None:
    """CDK's own container-assets repository, hardened."""


@group.command("template")
@click.option("--from", "source", type=click.Path(path_type=Path, dir_okay=False), help="A template file to edit.")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), help="Write here, not stdout.")
@click.option("--kms", is_flag=True, help="KMS with the AWS managed key aws/ecr (a new bootstrap only).")
@click.option("--kms-key-arn", help="KMS with this customer managed key (a new bootstrap only).")
@click.option("--scan", type=click.Choice(("repository", "registry")), default="repository", show_default=True)
@click.option("--existing", is_flag=True, help="The template updates a deployed bootstrap: encryption stays.")
@click.option("--untagged-days", type=int, help="Expire untagged images after N days (default 365).")
@click.option("--archive-isolated-after", type=int, help="Archive images cdk gc tagged isolated (default 30).")
@click.option("--expire-archived-after", type=int, help="Expire archived images N days later (default 90).")
def template_command(
    source: Path | None,
    out: Path | None,
    kms: bool,
    kms_key_arn: str | None,
    scan: str,
    existing: bool,
    untagged_days: int | None,
    archive_isolated_after: int | None,
    expire_archived_after: int | None,
) -> None:
    """Print the CDK CLI's bootstrap template with its container-assets repository hardened: scan on push, a
    validated lifecycle policy that works with `cdk gc`, Retain, and KMS for new bootstraps."""
    from ecr_patterns.core.errors import ValidationError
    from ecr_patterns.tools.bootstrap.source import BootstrapSourceError, cli_bootstrap_template
    from ecr_patterns.tools.bootstrap.template import harden_bootstrap_template

    check_output(out, "--out")
    try:
        text = read_text(source) if source is not None else cli_bootstrap_template()
    except TextFileError as err:
        raise UsageProblem(f"the template: {err}") from None
    except BootstrapSourceError as err:
        raise UsageProblem(str(err)) from None
    try:
        hardened = harden_bootstrap_template(
            text,
            scan=scan,
            kms=kms,
            kms_key_arn=kms_key_arn,
            existing=existing,
            untagged_days=untagged_days,
            archive_isolated_after_days=archive_isolated_after,
            expire_archived_after_days=expire_archived_after,
        )
    except ValidationError as err:
        raise UsageProblem.of(err) from None
    if out is not None:
        write_atomically(out, hardened.text)
    else:
        click.echo(hardened.text, nl=False)
    if hardened.text == text:
        # Hardening a hardened template changes nothing: say so rather than list the settings it already has.
        click.echo("ContainerAssetsRepository already hardened, no change.", err=True)
    else:
        click.echo(f"ContainerAssetsRepository hardened ({len(hardened.changes)} changes):", err=True)
        for change in hardened.changes:
            click.echo(f"  - {change}", err=True)
    click.echo(f"Lifecycle policy: valid ({len(hardened.policy.rules)} rules).", err=True)
    if not (kms or kms_key_arn):
        click.echo(
            "Encryption unchanged: EncryptionConfiguration is create-only (a change replaces the repository); "
            "--kms or --kms-key-arn only for a new bootstrap or a new ContainerAssetsRepositoryName.",
            err=True,
        )
    target = out or "hardened-bootstrap.yaml"
    force = " --force" if existing else ""  # the CLI keeps a bootstrap of another variant without it
    click.echo(f"Next: cdk bootstrap --template {target}{force} aws://<account>/<region>", err=True)


@group.command("check")
@click.option("--region", "regions", multiple=True, help="A region (repeatable); default the session's region.")
@click.option("--qualifier", help="The bootstrap qualifier; its stack is CDKToolkit unless --toolkit-stack-name.")
@click.option("--toolkit-stack-name", default="CDKToolkit", show_default=True)
@click.option("--format", "output_format", type=click.Choice(("table", "json")), default="table", show_default=True)
def check_command(regions: tuple[str, ...], qualifier: str | None, toolkit_stack_name: str, output_format: str) -> None:
    """Read-only: each region's bootstrap stack, its container-assets repository's Security Hub ECR.1/2/3/5
    status and what its lifecycle policy does, and the command that fixes it."""
    try:
        import boto3
    except ImportError:
        raise UsageProblem("the check needs boto3: pip install 'ecr-patterns[aws]'") from None
    from ecr_patterns.tools.bootstrap.check import check_bootstrap

    session = boto3.Session()
    chosen = list(regions) or ([session.region_name] if session.region_name else [])
    if not chosen:
        raise UsageProblem("give --region (repeatable): no region is configured")
    statuses = check_bootstrap(chosen, session=session, toolkit_stack_name=toolkit_stack_name, qualifier=qualifier)
    data = [status.to_json() for status in statuses]
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        for status, entry in zip(statuses, data, strict=True):
            _echo_status(status, entry)
    sys.stdout.flush()
    raise click.exceptions.Exit(0 if all(status.passes for status in statuses) else 1)


def _echo_status(status: BootstrapStatus, entry: dict[str, Any]) -> None:
    effect = entry["lifecycle"]
    head = f"{status.region} {status.stack}"
    if status.error:
        click.echo(f"{head}: {status.error}")
        return
    controls = ", ".join(
        f"{c} {'pass' if ok else 'FAIL' if ok is not None else 'unknown'}" for c, ok in status.controls.items()
    )
    click.echo(f"{head}: {status.repository} (variant {status.variant!r}, version {status.version})")
    click.echo(f"  Security Hub: {controls}")
    if effect:
        click.echo(
            f"  lifecycle: {effect['images']} images; the next evaluation expires {effect['expiringImages']} "
            f"and archives {effect['archivingImages']}"
            + (
                "; images cdk gc marks isolated are archived, then expired"
                if status.works_with_cdk_gc
                else ""
                if status.bounded
                else "; the policy bounds nothing (it exists only for ECR.3)"
            )
        )
    for finding in status.findings:
        click.echo(f"  {finding.level}: [{finding.rule_id}] {finding.message}")
    if entry["fix"]:
        click.echo(f"  fix: {entry['fix']}")
