"""``ecr-patterns catalog validate|plan|diff`` (click; plain Python, no ``aws_cdk``).

Exit codes: 0 valid (``diff``: no RETAIN repository changes stack or is replaced); 1 ``diff`` found such a change;
2 a bad file or argument (every problem on stderr, one per line).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ecr_patterns.core._text import plural
from ecr_patterns.tools.cli._usage import UsageProblem

FILE = click.Path(path_type=Path, dir_okay=False)
SHARD_BY = click.option("--shard-by", type=click.Choice(("team", "hash")), default="team", show_default=True)
SHARDS = click.option("--shards", type=int, default=16, show_default=True, help="Buckets of --shard-by hash.")


def _plan(
    path: Path, shard_by: str, shards: int, stage_prefix: str, catalog_id: str | None, *, check: bool = True
) -> Any:
    try:
        from ecr_patterns.core.catalog.load import load_catalog
        from ecr_patterns.core.catalog.model import resolve
        from ecr_patterns.core.catalog.plan import STAGE_CATALOG_ID, plan_catalog
    except ImportError as err:
        raise UsageProblem(f"the catalog needs pydantic: pip install 'ecr-patterns[catalog]' ({err})") from None
    from ecr_patterns.core.errors import ValidationError

    try:
        return plan_catalog(
            resolve(load_catalog(path)),
            shard_by=shard_by,
            shards=shards,
            check=check,
            stage_prefix=stage_prefix or None,
            # The stacks of a RepositoryCatalog are <its id>-<shard>; CatalogStage's is STAGE_CATALOG_ID.
            stack_prefix=catalog_id or (STAGE_CATALOG_ID if stage_prefix else "Catalog"),
        )
    except ValidationError as err:
        raise UsageProblem("\n".join(str(v) for v in err.violations)) from None


STAGE_PREFIX = click.option(
    "--stage-prefix",
    default="Ecr",
    show_default=True,
    help="The id_prefix given to catalog_stages(), whose Stages are <prefix>-<account>-<region>: stacks are named "
    "as cdk ls lists them. '' for a RepositoryCatalog of your own at the app's root.",
)
CATALOG_ID = click.option(
    "--catalog-id",
    default=None,
    help="The id of your RepositoryCatalog (its stacks are <id>-<shard>). Default: Repositories, the one inside each "
    "CatalogStage; Catalog with --stage-prefix ''.",
)


@click.group("catalog")
def group() -> None:
    """Repositories declared as data: validate a catalog, plan its stacks, diff two versions."""


@group.command("validate")
@click.argument("file", type=FILE)
def validate_command(file: Path) -> None:
    """Check FILE against the schema, the lifecycle validator and CloudFormation's stack limits."""
    plan = _plan(file, "team", 16, "Ecr", None)
    names = plural(len({p.name for p in plan.placements}), "repository", "repositories")
    placements = plural(len(plan.placements), "placement")
    click.echo(
        f"{file}: valid, {names} in {placements} (a repository in one account and region), "
        f"{plural(len(plan.stacks), 'stack')}"
    )


@group.command("plan")
@click.argument("file", type=FILE)
@SHARD_BY
@SHARDS
@STAGE_PREFIX
@CATALOG_ID
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def plan_command(
    file: Path, shard_by: str, shards: int, stage_prefix: str, catalog_id: str | None, as_json: bool
) -> None:
    """Print the shard layout: each stack's environment, repositories, resources and estimated template size."""
    plan = _plan(file, shard_by, shards, stage_prefix, catalog_id)
    if as_json:
        click.echo(json.dumps(plan.to_json(), indent=2))
        return
    for stack in plan.to_json()["stacks"]:
        repositories = plural(stack["repositories"], "repository", "repositories")
        click.echo(
            f"{stack['environment']:<28} {stack['stack']:<44} {repositories:>18} "
            f"{plural(stack['resources'], 'resource'):>15}  ~{stack['estimatedTemplateBytes']:,} bytes"
        )


@group.command("diff")
@click.argument("old", type=FILE)
@click.argument("new", type=FILE)
@SHARD_BY
@SHARDS
@STAGE_PREFIX
@CATALOG_ID
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
def diff_command(
    old: Path, new: Path, shard_by: str, shards: int, stage_prefix: str, catalog_id: str | None, as_json: bool
) -> None:
    """What moves, what is created, what would be deleted, orphaned or replaced between OLD and NEW; exit 1 when a
    RETAIN repository would change stack or be replaced."""
    from ecr_patterns.core.catalog.plan import diff_plans

    changes = diff_plans(
        _plan(old, shard_by, shards, stage_prefix, catalog_id, check=False),
        _plan(new, shard_by, shards, stage_prefix, catalog_id),
    )
    if as_json:
        click.echo(json.dumps([c.to_json() for c in changes], indent=2))
    else:
        for change in changes:
            place = f"{change.before or '-'} -> {change.after or '-'}"
            mark = "BLOCKING " if change.blocking else ""
            click.echo(f"{mark}{change.kind:<9} {change.name} ({change.environment}) {place}: {change.note}")
        if not changes:
            click.echo("no repository changes")
    if any(c.blocking for c in changes):
        raise click.exceptions.Exit(1)
