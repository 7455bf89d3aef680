"""The audit as one self-contained HTML page: inline CSS and an inline SVG chart, no script, no network asset."""

from __future__ import annotations

from html import escape
from typing import Any

from ecr_patterns.tools.audit.render import size
from ecr_patterns.tools.audit.report import AuditReport

CHART_REPOSITORIES = 25
"""The chart shows the repositories storing the most bytes, at most this many."""

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.error{color:#b42318;font-weight:600}.warning{color:#9a6700;font-weight:600}
.summary span{display:inline-block;margin-right:2rem}.muted{color:#57606a}
"""


_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
"""Nothing may load: the page is one file (Chromium enforces it in the test)."""


def _muted(text: str | None) -> str:
    return f"<br><span class=muted>{escape(text)}</span>" if text else ""


def _chart(report: AuditReport) -> str:
    """Horizontal bars: stored bytes now (grey) against after the next lifecycle evaluation (blue)."""
    repos = sorted((r for r in report.repositories if r.stored_bytes), key=lambda r: r.stored_bytes or 0, reverse=True)[
        :CHART_REPOSITORIES
    ]
    if not repos:
        return '<p class="muted">No stored bytes to chart.</p>'
    widest = max(r.stored_bytes or 0 for r in repos)
    row, label, bar = 28, 260, 520
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label + bar + 160}" height="{row * len(repos) + 30}" '
        'role="img" aria-label="Stored bytes now and after the next lifecycle evaluation">'
    ]
    for i, repo in enumerate(repos):
        now = repo.stored_bytes or 0
        after = int((repo.lifecycle or {}).get("bytesAfterNextEvaluation", now))
        y = i * row + 4
        width_now, width_after = bar * now / widest, bar * after / widest
        parts.append(f'<text x="0" y="{y + 16}" font-size="12">{escape(repo.name)}</text>')
        parts.append(f'<rect x="{label}" y="{y}" width="{width_now:.1f}" height="10" fill="#afb8c1"/>')
        parts.append(f'<rect x="{label}" y="{y + 11}" width="{width_after:.1f}" height="10" fill="#0969da"/>')
        numbers = f"{escape(size(now))} → {escape(size(after))}"
        parts.append(f'<text x="{label + bar + 8}" y="{y + 16}" font-size="12">{numbers}</text>')
    legend_y = row * len(repos) + 22
    parts.append(f'<rect x="{label}" y="{legend_y - 9}" width="10" height="10" fill="#afb8c1"/>')
    parts.append(f'<text x="{label + 14}" y="{legend_y}" font-size="12">stored now</text>')
    parts.append(f'<rect x="{label + 110}" y="{legend_y - 9}" width="10" height="10" fill="#0969da"/>')
    parts.append(f'<text x="{label + 124}" y="{legend_y}" font-size="12">after the next evaluation</text>')
    parts.append("</svg>")
    return "".join(parts)


def to_html(report: AuditReport) -> str:
    """The whole report as one HTML document."""
    data: dict[str, Any] = report.to_json()
    summary = data["summary"]
    counts = summary["findings"]
    rows = []
    for repo in report.repositories:
        effect = repo.lifecycle or {}
        rows.append(
            "<tr>"
            f"<td>{escape(repo.name)}</td><td>{escape(repo.account)}/{escape(repo.region)}</td>"
            f'<td class="n">{"?" if repo.images is None else repo.images}</td>'
            f'<td class="n">{escape(size(repo.stored_bytes))}</td>'
            f'<td class="n">{effect.get("expiringImages", "-") if effect else "no policy"}</td>'
            f'<td class="n">{escape(size(effect.get("expiringBytes"))) if effect else "-"}</td>'
            f'<td class="n">{escape(size(effect.get("archivingBytes"))) if effect else "-"}</td>'
            f'<td class="n">{len(repo.findings)}</td>'
            "</tr>"
        )
    findings = []
    for f in sorted(report.findings, key=lambda f: (f.level != "error", f.repository or "", f.rule_id)):
        also = ", ".join(v for v in f.standards.values() if v)
        findings.append(
            "<tr>"
            f'<td class="{escape(f.level)}">{escape(f.level)}</td><td>{escape(f.rule_id)}</td>'
            f"<td>{escape(f.repository or '(registry)')}<br><span class=muted>{escape(f.account or '?')}/"
            f"{escape(f.region)}</span></td>"
            f"<td>{escape(f.message)}<br><span class=muted>Fix: {escape(f.fix)}</span></td>"
            f"<td>{escape(also)}{_muted(f.disagreement)}</td>"
            "</tr>"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_POLICY}">'
        f"<title>ecr-patterns audit {escape(data['generatedAt'])}</title><style>{_STYLE}</style></head><body>"
        f"<h1>ECR audit</h1><p class=muted>Generated {escape(data['generatedAt'])} by ecr-patterns audit "
        f"(schema {data['schemaVersion']}).</p>"
        '<div class="summary">'
        f"<span id=registries>{summary['registries']} registries</span>"
        f"<span id=repositories>{summary['repositories']} repositories</span>"
        f"<span id=images>{summary['images']} images</span>"
        f"<span id=stored>{escape(size(summary['storedBytes']))} stored</span>"
        f"<span id=expiring>{escape(size(summary['expiringBytes']))} expire at the next evaluation</span>"
        f"<span id=archiving>{escape(size(summary['archivingBytes']))} move to archive</span>"
        f"<span id=errors class=error>{counts['error']} errors</span>"
        f"<span id=warnings class=warning>{counts['warning']} warnings</span>"
        "</div>"
        f"<h2>Stored bytes, now and after the next lifecycle evaluation</h2>{_chart(report)}"
        "<h2>Repositories</h2><table><thead><tr><th>repository</th><th>account/region</th><th>images</th>"
        "<th>stored</th><th>expiring images</th><th>expiring</th><th>archiving</th><th>findings</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        "<h2>Findings</h2><table><thead><tr><th>level</th><th>rule</th><th>where</th><th>finding</th>"
        "<th>other tools</th></tr></thead>"
        f"<tbody>{''.join(findings) or '<tr><td colspan=5>No findings.</td></tr>'}</tbody></table>"
        "</body></html>\n"
    )
