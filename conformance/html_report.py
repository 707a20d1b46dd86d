"""The run as one self-contained HTML page: inline CSS, no scripts, no external assets.

Per operation: its cases, the documented statuses seen and not seen, and per check each
failure with its expected vs actual excerpt, the answer and the redacted ``curl``.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from pathlib import Path

from conformance.redact import Redactor
from conformance.reports import VERDICTS
from conformance.results import FailureRecord, RunResult

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1200px;color:#1d2330;
padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d8dde6}
.meta{color:#586174}.verdict{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:600;color:#fff}
.v0{background:#1f883d}.v1{background:#cf222e}.v2{background:#9a6700}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;
border-bottom:1px solid #eceff4;vertical-align:top}th{background:#f6f8fa;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#1f883d}.fail{color:#cf222e;font-weight:600}
.muted{color:#8a93a5}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f6f8fa;border:1px solid #e1e5eb;border-radius:6px;padding:8px;white-space:pre-wrap;
word-break:break-all;margin:4px 0}
details{border:1px solid #d8dde6;border-radius:6px;margin:8px 0;padding:6px 10px}
summary{cursor:pointer;font-weight:600}.failure{border-left:3px solid #cf222e;padding:2px 0 2px 10px;margin:10px 0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px}.label{font-weight:600;font-size:12px;color:#586174}
.bad{color:#cf222e}
"""


def html_report(result: RunResult, redactor: Redactor) -> str:
    code = result.exit_code
    seeds = [str(seed) for seed in result.seeds if seed is not None]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>aistats-mock conform: {escape(result.base_url)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>aistats-mock conform</h1>",
        f'<p class="meta">{escape(result.base_url)} · spec {escape(result.spec)} · profile {escape(result.profile)}'
        f" · seeds {escape(', '.join(seeds) or 'random')} · {result.duration_s:.1f} s · spent "
        f"{result.spent_usd:.9f} USD</p>",
        f'<p><span class="verdict v{code}">{VERDICTS[code]} (exit {code})</span> '
        f"{len(result.failures)} breaches · {escape(result.coverage.summary_line())}</p>",
    ]
    parts += _list("Coverage thresholds not met", result.coverage_failures, "bad")
    parts += _list("Harness errors", result.harness_errors, "bad")
    parts += [_operations_table(result), _failures(result), _checks_table(result)]
    parts += _list("Notes", result.notes, "")
    parts += _list("Clean-up", result.cleanup, "muted")
    if result.stopped_early:
        parts.append(f"<p class='bad'>Stopped early: {escape(result.stopped_early)}</p>")
    parts.append("</body></html>")
    return redactor.text("\n".join(parts))


def write_html(result: RunResult, path: Path, redactor: Redactor) -> None:
    Path(path).write_text(html_report(result, redactor), encoding="utf-8")


def _operations_table(result: RunResult) -> str:
    rows = []
    labels = sorted({*result.operations, *result.coverage.operations})
    for label in labels:
        summary = result.operations.get(label)
        cover = result.coverage.operations.get(label)
        failed = summary.failed if summary else 0
        covered = f"{len(cover.covered)}/{len(cover.documented)}" if cover else "–"
        seen = ", ".join(f"{c}×{n}" for c, n in sorted(cover.seen.items())) if cover else ""
        missing = ", ".join(c for c in cover.documented if c not in cover.covered) if cover else ""
        state = '<span class="fail">FAIL</span>' if failed else '<span class="ok">ok</span>'
        if summary is None or (summary.skipped and not summary.cases):
            state = '<span class="muted">skipped</span>' if summary else '<span class="muted">not run</span>'
        rows.append(
            f'<tr><td>{state}</td><td><a href="#{_anchor(label)}">{escape(label)}</a></td>'
            f'<td class="num">{summary.cases if summary else 0}</td><td class="num">{failed}</td>'
            f'<td class="num">{covered}</td><td>{escape(seen)}</td><td class="muted">{escape(missing)}</td></tr>'
        )
    head = (
        "<tr><th></th><th>Operation</th><th>Cases</th><th>Failed checks</th><th>Statuses seen/documented</th>"
        "<th>Answered (code×count)</th><th>Documented, not seen</th></tr>"
    )
    return f"<h2>Operations</h2><table>{head}{''.join(rows)}</table>"


def _checks_table(result: RunResult) -> str:
    rows = [
        f"<tr><td>{'<span class=fail>FAIL</span>' if t.failed else '<span class=ok>ok</span>'}</td>"
        f'<td><code>{escape(name)}</code></td><td class="num">{t.passed}</td><td class="num">{t.failed}</td></tr>'
        for name, t in result.check_totals().items()
    ]
    head = "<tr><th></th><th>Check</th><th>Passed</th><th>Failed</th></tr>"
    return f"<h2>Checks</h2><table>{head}{''.join(rows)}</table>"


def _failures(result: RunResult) -> str:
    if not result.failures:
        return "<h2>Failures</h2><p class='ok'>None.</p>"
    grouped: dict[str, dict[str, list[FailureRecord]]] = defaultdict(lambda: defaultdict(list))
    for failure in result.failures:
        grouped[failure.operation][failure.check].append(failure)
    parts = [f"<h2>Failures ({len(result.failures)})</h2>"]
    for operation in sorted(grouped):
        by_check = grouped[operation]
        count = sum(len(items) for items in by_check.values())
        parts.append(
            f'<details open id="{_anchor(operation)}"><summary>{escape(operation)} '
            f'<span class="bad">{count} breach{"es" if count > 1 else ""}</span></summary>'
        )
        for check in sorted(by_check):
            parts.append(f"<h3><code>{escape(check)}</code></h3>")
            parts += [_failure(failure) for failure in by_check[check]]
        parts.append("</details>")
    return "\n".join(parts)


def _failure(failure: FailureRecord) -> str:
    facts = [failure.phase]
    if failure.occurrences > 1:
        facts.append(f"×{failure.occurrences}")
    if failure.seed is not None:
        facts.append(f"seed {failure.seed}")
        others = [str(seed) for seed in failure.seeds if seed != failure.seed]
        if others:
            facts.append(f"also seeds {', '.join(others)}")
    parts = [
        '<div class="failure">',
        f"<p><b>{escape(failure.title)}</b> <span class='muted'>({escape(' · '.join(facts))})</span></p>",
    ]
    if failure.expected or failure.actual:
        parts.append(
            '<div class="pair">'
            f'<div><div class="label">Expected</div><pre>{escape(failure.expected or "")}</pre></div>'
            f'<div><div class="label">Actual</div><pre>{escape(failure.actual or "")}</pre></div></div>'
        )
    elif failure.message:
        parts.append(f'<div class="label">Message</div><pre>{escape(failure.message[:2000])}</pre>')
    if failure.status is not None:
        excerpt = (failure.response_excerpt or "")[:600]
        parts.append(f'<div class="label">Response {failure.status}</div><pre>{escape(excerpt)}</pre>')
    for curl in failure.curl:
        parts.append(f'<div class="label">Reproduce</div><pre>{escape(curl)}</pre>')
    parts.append("</div>")
    return "\n".join(parts)


def _list(title: str, items: list[str], css: str) -> list[str]:
    if not items:
        return []
    entries = "".join(f"<li class='{css}'>{escape(item)}</li>" for item in items)
    return [f"<h2>{escape(title)}</h2><ul>{entries}</ul>"]


def _anchor(label: str) -> str:
    return "op-" + "".join(ch if ch.isalnum() else "-" for ch in label).strip("-").lower()
