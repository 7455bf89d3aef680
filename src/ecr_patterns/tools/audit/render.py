"""The audit report as a terminal table (rich)."""

from __future__ import annotations

from typing import Any

from ecr_patterns.core._text import plural
from ecr_patterns.tools.audit.report import AuditReport


def size(count: int | None) -> str:
    if count is None:
        return "?"
    value = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def print_report(report: AuditReport, console: Any) -> None:
    """Per repository its images, bytes and what the next lifecycle evaluation does, then every finding."""
    from rich.table import Table

    data = report.to_json()
    summary = data["summary"]
    counts = summary["findings"]
    console.print(
        f"ecr-patterns audit: {plural(summary['registries'], 'registry', 'registries')}, "
        f"{plural(summary['repositories'], 'repository', 'repositories')}, {plural(summary['images'], 'image')}, "
        f"{size(summary['storedBytes'])} stored; the next lifecycle evaluation frees {size(summary['expiringBytes'])} "
        f"and archives {size(summary['archivingBytes'])}; {plural(counts['error'], 'error')}, "
        f"{plural(counts['warning'], 'warning')}",
        highlight=False,
    )
    repos = Table(title="Repositories", title_justify="left")
    for column in ("repository", "account/region", "images", "stored", "expiring", "archiving", "findings"):
        repos.add_column(column, justify="right" if column not in ("repository", "account/region") else "left")
    for repo in report.repositories:
        effect = repo.lifecycle or {}
        repos.add_row(
            repo.name,
            f"{repo.account}/{repo.region}",
            "?" if repo.images is None else str(repo.images),
            size(repo.stored_bytes),
            f"{effect.get('expiringImages', 0)} ({size(effect.get('expiringBytes', 0))})" if effect else "no policy",
            f"{effect.get('archivingImages', 0)} ({size(effect.get('archivingBytes', 0))})" if effect else "-",
            str(len(repo.findings)),
        )
    console.print(repos)
    if not report.findings:
        console.print("No findings.")
        return
    table = Table(title="Findings", title_justify="left")
    table.add_column("level", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("where", overflow="fold")
    table.add_column("finding", overflow="fold", ratio=3)
    table.add_column("Security Hub", overflow="fold", ratio=1)
    fixes: dict[str, str] = {}
    for finding in sorted(report.findings, key=lambda f: (f.level != "error", f.rule_id, f.repository or "")):
        fixes.setdefault(finding.rule_id, finding.fix)
        hub = finding.standards.get("securityHub") or "-"
        table.add_row(
            finding.level,
            finding.rule_id.removeprefix("EcrPatterns-"),
            f"{finding.repository or '(registry)'} {finding.account or '?'}/{finding.region}",
            finding.message,
            hub + (f": {finding.disagreement}" if finding.disagreement else ""),
        )
    console.print(table)
    console.print("Fixes:", highlight=False)
    for rule_id, fix in fixes.items():
        console.print(f"  {rule_id}: {fix}", highlight=False)
