"""``audit()``: read an estate and judge it (plain Python, boto3; never ``aws_cdk``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from ecr_patterns.core.compliance.engine import ComplianceConfig
from ecr_patterns.core.errors import Code, ValidationError, Violation
from ecr_patterns.tools.audit.effect import Prices
from ecr_patterns.tools.audit.judge import judge_estate
from ecr_patterns.tools.audit.reader import Target, read_estate
from ecr_patterns.tools.audit.report import AuditReport


def targets_for(
    regions: Sequence[str],
    *,
    role_arns: Sequence[str] = (),
    role_arn_template: str | None = None,
    accounts: Sequence[str] = (),
) -> list[Target]:
    """Every (role, region) pair to read.

    :param role_arns: default none: the caller's own account only.
    :param role_arn_template: default ``None``; a role ARN with ``{account}``, filled with each of ``accounts``.
    :param accounts: default none; the accounts for ``role_arn_template``.
    :raises ValidationError: no region, a template without ``{account}``, accounts without a template, or an
        account that is not 12 digits.
    """
    problems: list[Violation] = []
    if not regions:
        problems.append(Violation("regions", [], "give --region (repeatable) or --all-regions", code=Code.AUDIT_SCOPE))
    if role_arn_template is not None and "{account}" not in role_arn_template:
        problems.append(
            Violation(
                "role_arn_template",
                role_arn_template,
                "put {account} where the account goes, e.g. arn:aws:iam::{account}:role/EcrAudit",
                code=Code.AUDIT_SCOPE,
            )
        )
    if accounts and role_arn_template is None:
        problems.append(
            Violation("accounts", list(accounts), "accounts need --role-arn with {account}", code=Code.AUDIT_SCOPE)
        )
    for account in accounts:
        if not (len(account) == 12 and account.isdigit()):
            problems.append(Violation("accounts", account, "an AWS account id is 12 digits", code=Code.AUDIT_SCOPE))
    if problems:
        raise ValidationError(problems, context="audit scope")
    roles: list[str | None] = list(role_arns)
    if role_arn_template is not None:
        roles += [role_arn_template.format(account=a) for a in accounts]
    if not roles:
        roles = [None]
    return [Target(region, role) for role in roles for region in dict.fromkeys(regions)]


def audit(
    targets: Iterable[Target],
    *,
    session: Any | None = None,
    config: ComplianceConfig | None = None,
    repository_prefix: str | None = None,
    now: datetime | None = None,
    max_workers: int = 8,
    on_progress: Callable[[int, int], None] | None = None,
    layers: bool = False,
    prices: Prices | None = None,
) -> AuditReport:
    """Read every target's registry and repositories (read-only) and judge them with the synth-time rules and
    the lifecycle-effect checks.

    :param session: default ``None``: ``boto3.Session()``.
    :param config: default ``None``: every rule at its own level.
    :param repository_prefix: default ``None``: every repository.
    :param now: default ``None``: the current UTC time.
    :param max_workers: default 8 concurrent reads.
    :param on_progress: default ``None``; called with (repositories read, repositories found).
    :param layers: default ``False``; ``True`` reads every active image's manifest to count unique layer bytes.
    :param prices: default ``Prices()``: the money columns' prices.
    """
    targets = list(targets)
    registries = read_estate(
        targets,
        session=session,
        repository_prefix=repository_prefix,
        max_workers=max_workers,
        on_progress=on_progress,
        layers=layers,
    )
    scope = {
        "regions": sorted({t.region for t in targets}),
        "roleArns": sorted({t.role_arn for t in targets if t.role_arn}),
        "repositoryPrefix": repository_prefix,
        "requireKms": bool(config and config.require_kms),
        "requireCustomerManagedKey": bool(config and config.require_customer_managed_key),
        "layers": layers,
    }
    return judge_estate(registries, config, now=now, scope=scope, prices=prices)
