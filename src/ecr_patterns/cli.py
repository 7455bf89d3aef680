"""``ecr-patterns``: validate and preview ECR lifecycle policies offline (plain Python, no ``aws_cdk``).

Exit codes: 0 success; 1 the policy is one ECR would reject; 2 a bad file or argument (one
line on stderr, never a traceback).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from ecr_patterns.errors import ValidationError

_REPOSITORY_TYPE = "AWS::ECR::Repository"


class UsageProblem(click.ClickException):
    """A bad file or argument: one line, exit code 2."""

    exit_code = 2


def _fail(message: str) -> NoReturn:
    raise UsageProblem(message)


def _read_json(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        _fail(f"cannot read {what} file {path}: {err.strerror or err}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        _fail(f"{what} file {path} is not JSON: {err.msg} at line {err.lineno} column {err.colno}")


def load_policy(path: Path, repository: str | None = None) -> Any:
    """Policy JSON from a policy file, or from one repository of a synthesized template."""
    data = _read_json(path, "policy")
    if not (isinstance(data, dict) and isinstance(data.get("Resources"), dict)):
        if repository is not None:
            _fail(f"--repository {repository} needs a CloudFormation template, but {path} is a policy")
        return data
    repos = {
        logical_id: resource
        for logical_id, resource in data["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") == _REPOSITORY_TYPE
    }
    if repository is None:
        with_policy = [lid for lid, r in repos.items() if (r.get("Properties") or {}).get("LifecyclePolicy")]
        if len(with_policy) != 1:
            found = ", ".join(with_policy) or "none"
            _fail(
                f"{path} has {len(with_policy)} repositories with a lifecycle policy ({found}): "
                "pick one with --repository"
            )
        repository = with_policy[0]
    if repository not in repos:
        _fail(f"{path} has no {_REPOSITORY_TYPE} {repository!r}; it has: {', '.join(repos) or 'none'}")
    text = ((repos[repository].get("Properties") or {}).get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
    if text is None:
        _fail(f"repository {repository} in {path} has no LifecyclePolicyText")
    if not isinstance(text, str):
        function = next(iter(text), "?") if isinstance(text, dict) else type(text).__name__
        _fail(
            f"the policy text of {repository} is built at deploy time ({function}): "
            "synthesize with literal values, or pass the policy JSON"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        _fail(f"the LifecyclePolicyText of {repository} is not JSON: {err.msg}")


def load_images(path: Path) -> list[Any]:
    """``imageDetails`` from what ``aws ecr describe-images`` prints (or a bare list)."""
    data = _read_json(path, "images")
    details = data.get("imageDetails") if isinstance(data, dict) else data
    if not isinstance(details, list):
        _fail(f'images file {path} must be {{"imageDetails": [...]}} as printed by aws ecr describe-images')
    return details


def live_images(repository_name: str, registry_id: str | None) -> list[dict[str, Any]]:
    """Every image of a live repository (all pages), from the configured AWS endpoint."""
    try:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError
    except ImportError:
        _fail("--repository-name needs boto3: pip install 'ecr-patterns[aws]'")
    client = boto3.client("ecr")
    args: dict[str, Any] = {"repositoryName": repository_name}
    if registry_id:
        args["registryId"] = registry_id
    try:
        paginator = client.get_paginator("describe_images")
        try:
            # Archived images are listed only when asked for (older SDKs do not know the filter).
            pages = list(paginator.paginate(**args, filter={"tagStatus": "ANY", "imageStatus": "ANY"}))
        except ParamValidationError:
            pages = list(paginator.paginate(**args, filter={"tagStatus": "ANY"}))
    except (BotoCoreError, ClientError) as err:
        _fail(f"cannot list the images of {repository_name}: {err}")
    return [image for page in pages for image in page.get("imageDetails", [])]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _print_violations(err: ValidationError) -> None:
    click.echo(f"invalid: {len(err.violations)} problem(s)", err=True)
    for violation in err.violations:
        click.echo(f"  - {violation}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ecr-patterns")
def cli() -> None:
    """ecr-patterns: tools for Amazon ECR repositories."""


@cli.group()
def lifecycle() -> None:
    """Validate and preview lifecycle policies offline."""


@lifecycle.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--repository", "repository", help="Logical id of the repository when FILE is a template.")
def validate_command(file: Path, repository: str | None) -> None:
    """Check FILE (policy JSON or a synthesized template) against ECR's lifecycle rules."""
    from ecr_patterns.lifecycle.validate import validate_lifecycle_policy

    try:
        policy = validate_lifecycle_policy(load_policy(file, repository))
    except ValidationError as err:
        _print_violations(err)
        raise click.exceptions.Exit(1) from None
    click.echo(f"valid: {len(policy.rules)} rule(s)")


@lifecycle.command("preview")
@click.option("--policy", "policy_file", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--images", "images_file", type=click.Path(path_type=Path, dir_okay=False), help="describe-images JSON.")
@click.option("--repository-name", help="Read the images of this live repository with boto3 instead of --images.")
@click.option("--registry-id", help="Registry (account) of --repository-name; default the caller's.")
@click.option("--repository", "repository", help="Logical id of the repository when --policy is a template.")
@click.option("--now", "now", help="Evaluation time, ISO 8601 (default: now, UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the preview dict as JSON.")
@click.option("--affected-only", is_flag=True, help="Table: only images the policy would expire or archive.")
def preview_command(
    policy_file: Path,
    images_file: Path | None,
    repository_name: str | None,
    registry_id: str | None,
    repository: str | None,
    now: str | None,
    as_json: bool,
    affected_only: bool,
) -> None:
    """Show which images the policy would expire or archive, and why."""
    from ecr_patterns.lifecycle.preview import preview_lifecycle_policy

    if (images_file is None) == (repository_name is None):
        _fail("give exactly one of --images FILE and --repository-name NAME")
    if now is not None:
        try:
            datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError:
            _fail(f"--now {now!r} is not an ISO 8601 time such as 2026-01-31T12:00:00Z")
    policy = load_policy(policy_file, repository)
    images = load_images(images_file) if images_file is not None else live_images(str(repository_name), registry_id)
    try:
        result = preview_lifecycle_policy(policy, images, now=now)
    except ValidationError as err:
        if err.context == "image_details":
            _fail(
                f"images: {err.violations[0]}"
                + (f" (+{len(err.violations) - 1} more)" if len(err.violations) > 1 else "")
            )
        _print_violations(err)
        raise click.exceptions.Exit(1) from None
    if as_json:
        click.echo(json.dumps(result, indent=2, default=_json_default))
        return
    _print_table(result, affected_only=affected_only)


def _print_table(result: dict[str, Any], *, affected_only: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Lifecycle policy preview", show_lines=False)
    for column in ("image", "tags", "action", "rule", "reason"):
        table.add_column(column, overflow="fold")
    for entry in result["imageReasons"]:
        if affected_only and entry["decision"] == "KEEP":
            continue
        table.add_row(
            entry["imageDigest"].split(":")[-1][:12],
            ", ".join(entry["imageTags"]) or "<untagged>",
            entry["decision"],
            "-" if entry["appliedRulePriority"] is None else str(entry["appliedRulePriority"]),
            entry["reason"],
        )
    # Piped output (files, CI logs) gets wide lines rather than reasons folded at 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    summary = result["summary"]
    archived = sum(c["imageTotalCount"] for c in summary["transitioningImageTotalCounts"])
    kept = len(result["imageReasons"]) - summary["expiringImageTotalCount"] - archived
    console.print(
        f"{summary['expiringImageTotalCount']} to expire, {archived} to archive, {kept} kept "
        f"(of {len(result['imageReasons'])} images)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit code."""
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


if __name__ == "__main__":
    raise SystemExit(main())
