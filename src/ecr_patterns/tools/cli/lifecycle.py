"""``ecr-patterns lifecycle validate|preview``: validate and preview ECR lifecycle policies offline (plain Python,
no ``aws_cdk``).

Exit codes: 0 success; 1 the policy is one ECR would reject; 2 a bad file or argument (one
line on stderr, never a traceback).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from ecr_patterns.core._text import plural
from ecr_patterns.core.errors import ValidationError
from ecr_patterns.core.files import TextFileError, read_text
from ecr_patterns.tools.cli._usage import UsageProblem

_REPOSITORY_TYPE = "AWS::ECR::Repository"


def _fail(message: str) -> NoReturn:
    raise UsageProblem(message)


def _read_json(path: Path, what: str) -> Any:
    try:
        text = read_text(path)
    except TextFileError as err:
        _fail(f"{what} file: {err}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        _fail(f"{what} file {path} is not JSON: {err.msg} at line {err.lineno} column {err.colno}")


_CREATION_TEMPLATE_TYPE = "AWS::ECR::RepositoryCreationTemplate"


def _what_it_is(data: Any) -> str | None:
    """What a JSON file that is neither a policy nor a template is, when it is something AWS tools print."""
    if not isinstance(data, dict):
        return None
    if "artifacts" in data and "version" in data:
        return "a cloud assembly manifest: give a stack template such as cdk.out/<Stack>.template.json"
    if "imageDetails" in data:
        return "describe-images output: give it with --images"
    if "images" in data and "failures" in data:
        return "batch-get-image output: give it with --manifests"
    if "dockerImages" in data or ("files" in data and "version" in data):
        return "a CDK asset manifest (*.assets.json), not a template"
    if "tree" in data:
        return "a CDK construct tree (tree.json), not a template"
    return None


def load_policies(path: Path) -> tuple[bool, list[tuple[str, str, Any]]]:
    """``(is_template, [(logical id or "", resource type or "", policy JSON)])``: the policy of a policy file,
    or every lifecycle policy of a synthesized template (repositories and repository creation templates)."""
    data = _read_json(path, "policy")
    if isinstance(data, dict) and "rules" in data:
        return False, [("", "", data)]
    if not (isinstance(data, dict) and isinstance(data.get("Resources"), dict)):
        what = _what_it_is(data)
        _fail(
            f"{path} is {what}"
            if what
            else f'{path} is neither a lifecycle policy ({{"rules": [...]}}) nor a CloudFormation template'
        )
    found = []
    for logical_id, resource in data["Resources"].items():
        if not isinstance(resource, dict):
            continue
        properties = resource.get("Properties") or {}
        if resource.get("Type") == _REPOSITORY_TYPE:
            text = (properties.get("LifecyclePolicy") or {}).get("LifecyclePolicyText")
        elif resource.get("Type") == _CREATION_TEMPLATE_TYPE:
            text = properties.get("LifecyclePolicy")
        else:
            continue
        if text is not None:
            found.append((logical_id, str(resource["Type"]), _policy_text(logical_id, text)))
    return True, found


def _policy_text(logical_id: str, text: Any) -> Any:
    if not isinstance(text, str):
        function = next(iter(text), "?") if isinstance(text, dict) else type(text).__name__
        _fail(
            f"the policy text of {logical_id} is built at deploy time ({function}): "
            "synthesize with literal values, or pass the policy JSON"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        _fail(f"the lifecycle policy of {logical_id} is not JSON: {err.msg}")


def load_policy(path: Path, repository: str | None = None) -> Any:
    """Policy JSON from a policy file, or from one repository (or creation template) of a synthesized template."""
    is_template, found = load_policies(path)
    if not is_template:
        if repository is not None:
            _fail(f"--repository {repository} needs a CloudFormation template, but {path} is a policy")
        return found[0][2]
    return _pick(path, found, repository)[2]


def _pick(path: Path, found: list[tuple[str, str, Any]], repository: str | None) -> tuple[str, str, Any]:
    ids = [logical_id for logical_id, _, _ in found]
    if repository is None:
        if len(found) != 1:
            _fail(
                f"{path} has {len(found)} repositories or creation templates with a lifecycle policy "
                f"({', '.join(ids) or 'none'}): pick one with --repository"
            )
        return found[0]
    for entry in found:
        if entry[0] == repository:
            return entry
    _fail(f"{path} has no lifecycle policy on {repository!r}; it has: {', '.join(ids) or 'none'}")


def load_images(path: Path, *, allow_partial: bool = False) -> list[Any]:
    """``imageDetails`` from what ``aws ecr describe-images`` prints (or a bare list). A page that still
    carries a ``nextToken`` is refused as incomplete unless ``allow_partial``."""
    data = _read_json(path, "images")
    details = data.get("imageDetails") if isinstance(data, dict) else data
    if not isinstance(details, list):
        what = _what_it_is(data) if not (isinstance(data, dict) and "imageDetails" in data) else None
        _fail(
            f"images file {path} is {what}"
            if what and "describe-images" not in what
            else f'images file {path} must be {{"imageDetails": [...]}} as printed by aws ecr describe-images'
        )
    if isinstance(data, dict) and data.get("nextToken") and not allow_partial:
        _fail(
            f"images file {path} is one page of {len(details)} images with a nextToken: list every page "
            "(aws ecr describe-images without --max-items, or --repository-name), or pass --allow-partial"
        )
    return details


def load_manifests(path: Path) -> dict[str, list[str]]:
    """``{index digest: [referenced digests]}`` from what ``aws ecr batch-get-image`` prints."""
    from ecr_patterns.core.lifecycle.live import index_children_from_manifests

    data = _read_json(path, "manifests")
    images = data.get("images") if isinstance(data, dict) else None
    if not isinstance(images, list):
        _fail(f'manifests file {path} must be {{"images": [...]}} as printed by aws ecr batch-get-image')
    try:
        return index_children_from_manifests(images)
    except ValueError as err:
        _fail(f"manifests file {path}: {err}")


def live_images(repository_name: str, registry_id: str | None) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Every image of a live repository (all pages, every status) and its image indexes' references."""
    from ecr_patterns.core.lifecycle.live import LiveRepositoryError, image_index_children, list_repository_images

    try:
        images = list_repository_images(repository_name, registry_id=registry_id)
        return images, image_index_children(repository_name, images, registry_id=registry_id)
    except LiveRepositoryError as err:
        _fail(str(err))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def _print_violations(err: ValidationError) -> None:
    click.echo(f"invalid: {plural(len(err.violations), 'problem')}", err=True)
    for violation in err.violations:
        click.echo(f"  - {violation}", err=True)


@click.group("lifecycle")
def group() -> None:
    """Validate and preview lifecycle policies offline."""


@group.command("validate")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--repository", "repository", help="Logical id of one repository or creation template in a template.")
def validate_command(file: Path, repository: str | None) -> None:
    """Check FILE (policy JSON, or every lifecycle policy of a synthesized template) against ECR's rules."""
    from ecr_patterns.core.lifecycle.validate import validate_lifecycle_policy

    is_template, found = load_policies(file)
    if not is_template and repository is not None:
        _fail(f"--repository {repository} needs a CloudFormation template, but {file} is a policy")
    if is_template:
        if not found:
            _fail(f"{file} has no repository or creation template with a lifecycle policy")
        if repository is not None:
            found = [_pick(file, found, repository)]
    failed = False
    for logical_id, kind, data in found:
        name = f"{logical_id} ({kind}): " if logical_id else ""
        try:
            policy = validate_lifecycle_policy(data)
        except ValidationError as err:
            failed = True
            click.echo(f"invalid: {name}{plural(len(err.violations), 'problem')}", err=True)
            for violation in err.violations:
                click.echo(f"  - {violation}", err=True)
            continue
        click.echo(f"valid: {name}{plural(len(policy.rules), 'rule')}")
    if failed:
        raise click.exceptions.Exit(1)


@group.command("preview")
@click.option("--policy", "policy_file", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--images", "images_file", type=click.Path(path_type=Path, dir_okay=False), help="describe-images JSON.")
@click.option("--repository-name", help="Read the images of this live repository with boto3 instead of --images.")
@click.option("--registry-id", help="Registry (account) of --repository-name; default the caller's.")
@click.option("--repository", "repository", help="Logical id of the repository when --policy is a template.")
@click.option(
    "--manifests",
    "manifests_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="batch-get-image JSON of the image indexes (what they reference is never expired).",
)
@click.option("--now", "now", help="Evaluation time, ISO 8601 (default: now, UTC).")
@click.option("--json", "as_json", is_flag=True, help="Print the preview as JSON (ECR's shape plus our reasons).")
@click.option("--all", "show_all", is_flag=True, help="Table: every affected image (default: the first 50).")
@click.option("--allow-partial", is_flag=True, help="Accept an images file that is one page (has a nextToken).")
@click.option(
    "--affected-only", is_flag=True, hidden=True, help="Kept for compatibility: the table lists affected images."
)
def preview_command(
    policy_file: Path,
    images_file: Path | None,
    repository_name: str | None,
    registry_id: str | None,
    repository: str | None,
    manifests_file: Path | None,
    now: str | None,
    as_json: bool,
    show_all: bool,
    allow_partial: bool,
    affected_only: bool,
) -> None:
    """Show which images the policy would expire or archive, and why: a summary per rule, then the images."""
    from ecr_patterns.core.lifecycle.preview import preview_lifecycle_policy

    if (images_file is None) == (repository_name is None):
        _fail("give exactly one of --images FILE and --repository-name NAME")
    if now is not None:
        try:
            datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError:
            _fail(f"--now {now!r} is not an ISO 8601 time such as 2026-01-31T12:00:00Z")
    policy = load_policy(policy_file, repository)
    children: dict[str, list[str]] | None = load_manifests(manifests_file) if manifests_file is not None else None
    if images_file is not None:
        images = load_images(images_file, allow_partial=allow_partial)
    else:
        images, live_children = live_images(str(repository_name), registry_id)
        children = {**live_children, **(children or {})}
    try:
        result = preview_lifecycle_policy(policy, images, now=now, index_children=children)
    except ValidationError as err:
        if err.context == "image_details":
            _fail(
                f"images: {err.violations[0]}"
                + (f" (+{len(err.violations) - 1} more)" if len(err.violations) > 1 else "")
            )
        _print_violations(err)
        raise click.exceptions.Exit(1) from None
    if as_json:
        # No indent: with one, json falls back to its pure-Python encoder, three to four times slower on a
        # 100,000-image preview (bench/lifecycle_realistic.py).
        click.echo(json.dumps(result, default=_json_default))
        return
    _print_table(result, limit=None if show_all else TABLE_LIMIT)


TABLE_LIMIT = 50
"""Affected images the table shows unless ``--all``."""


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:,.0f} {unit}" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1000  # type: ignore[assignment]
    return str(count)


def _print_table(result: dict[str, Any], *, limit: int | None) -> None:
    from rich.console import Console
    from rich.table import Table

    # Piped output (files, CI logs) gets wide lines rather than reasons folded at 80 columns.
    console = Console(width=None if sys.stdout.isatty() else 200)
    rules = Table(title="Lifecycle policy preview: per rule", show_lines=False)
    for column in ("rule", "action", "images", "bytes", "description"):
        rules.add_column(column, overflow="fold")
    for entry in result["rules"]:
        rules.add_row(
            str(entry["rulePriority"]),
            "archive" if entry["action"] == "TRANSITION" else "expire",
            f"{entry['imageCount']:,}",
            _size(entry["imageBytes"]),
            entry["description"] or "",
        )
    console.print(rules)
    affected = [e for e in result["imageReasons"] if e["decision"] != "KEEP" or e["dueSoon"]]
    shown = affected if limit is None else affected[:limit]
    if shown:
        table = Table(title="Images the policy acts on", show_lines=False)
        for column in ("image", "tags", "action", "rule", "reason"):
            table.add_column(column, overflow="fold")
        for entry in shown:
            decision = "KEEP (due soon)" if entry["dueSoon"] else entry["decision"]
            table.add_row(
                entry["imageDigest"].split(":")[-1][:12],
                ", ".join(entry["imageTags"]) or "<untagged>",
                decision,
                "-" if entry["appliedRulePriority"] is None else str(entry["appliedRulePriority"]),
                entry["reason"],
            )
        console.print(table)
    if len(shown) < len(affected):
        console.print(f"... and {len(affected) - len(shown):,} more (--all lists every one, --json everything)")
    summary, totals = result["summary"], result["totals"]
    archived = sum(c["imageTotalCount"] for c in summary["transitioningImageTotalCounts"])
    expiring = summary["expiringImageTotalCount"]
    total = len(result["imageReasons"])
    kept = total - expiring - archived
    line = (
        f"{expiring:,} to expire ({_size(totals['expiringImageBytes'])}), {archived:,} to archive "
        f"({_size(totals['transitioningImageBytes'])}), {kept:,} kept (of {plural(total, 'image')})"
    )
    if totals["dueSoonImageCount"]:
        line += f"; {totals['dueSoonImageCount']:,} more due within ECR's 24-hour window"
    console.print(line)
    if result["unresolvedIndexes"]:
        console.print(
            f"{plural(len(result['unresolvedIndexes']), 'image index')} without its manifest (--manifests, or "
            f"--repository-name): could not rule out that they reference "
            f"{plural(len(result['couldNotRuleOut']), 'untagged image')} marked above"
        )
