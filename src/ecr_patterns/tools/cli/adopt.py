"""``ecr-patterns adopt``: the two deploys that put an existing repository, with its images, under a pattern.
Read-only; imports only click at load time.

Exit codes: 0 the plan was printed; 2 a bad argument or a repository that cannot be read (one line on stderr).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ecr_patterns.tools.cli._output import write_atomically
from ecr_patterns.tools.cli._usage import UsageProblem


@click.command("adopt")
@click.argument("repository_name")
@click.option("--pattern", type=click.Choice(("secure", "dev", "prod")), default="secure", show_default=True)
@click.option("--region", help="The repository's region; default the session's.")
@click.option("--registry-id", help="The repository's registry (account); default the caller's.")
@click.option("--logical-id", help="The repository's logical id in your synthesized stack (for the mapping file).")
@click.option("--construct-id", default="Repository", show_default=True, help="The construct id in the printed code.")
@click.option("--mapping-out", type=click.Path(path_type=Path, dir_okay=False), help="Write the cdk import mapping.")
@click.option("--now", help="The time of the default policy's preview, ISO 8601 (default: now).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def command(
    repository_name: str,
    pattern: str,
    region: str | None,
    registry_id: str | None,
    logical_id: str | None,
    construct_id: str,
    mapping_out: Path | None,
    now: str | None,
    as_json: bool,
) -> None:
    """Print the import deploy (the pattern described as the repository is today), the cdk import mapping, what
    the follow-up deploy changes in place and what it cannot, and what the pattern's default lifecycle policy
    would do to today's images."""
    try:
        import boto3
    except ImportError:
        raise UsageProblem("adopt reads the live repository: pip install 'ecr-patterns[aws]'") from None
    from ecr_patterns.core.errors import ValidationError
    from ecr_patterns.core.lifecycle.live import LiveRepositoryError
    from ecr_patterns.tools.audit.adopt import AdoptionError, plan_adoption, read_live, render_plan

    if mapping_out is not None and logical_id is None:
        raise UsageProblem("--mapping-out needs --logical-id (the id `cdk synth` gives the repository)")
    session = boto3.Session(region_name=region) if region else boto3.Session()
    if not session.region_name:
        raise UsageProblem("give --region: no region is configured")
    try:
        live = read_live(session.client("ecr"), repository_name, kms=session.client("kms"), registry_id=registry_id)
        plan = plan_adoption(
            live,
            live.images,
            pattern=pattern,
            logical_id=logical_id,
            construct_id=construct_id,
            index_children=live.index_children,
            now=now,
        )
    except (AdoptionError, LiveRepositoryError) as err:
        raise UsageProblem(str(err)) from None
    except ValidationError as err:
        raise UsageProblem.of(err) from None
    if mapping_out is not None:
        write_atomically(mapping_out, json.dumps(plan.resource_mapping, indent=2) + "\n")
    click.echo(json.dumps(plan.to_json(), indent=2) if as_json else render_plan(plan))
