"""HTML views for Jupyter (`_repr_html_`)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sanjia._sanjia import BatchResult, Report

_STYLE = (
    "<style>.sanjia td,.sanjia th{padding:2px 8px;text-align:left}"
    ".sanjia .bad{color:#b00020}.sanjia .ok{color:#1b5e20}</style>"
)


def _esc(x: object) -> str:
    return html.escape("" if x is None else str(x))


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:,.2f}".rstrip("0").rstrip(".")


def report_html(report: Report, top: int = 10) -> str:
    """A compact HTML view of a report: result, parts, failed conditions, top deductions."""
    rb = report.rulebook
    total = report.total
    out = [_STYLE, '<div class="sanjia">']
    out.append(
        f"<b>{_esc(report.hospital)}</b> — {_esc(rb.id)} {_esc(rb.edition or '')}<br>"
        f"Result: <b>{_esc(report.status)}</b> · Total {_num(total)} of {_num(report.max_total)}"
    )
    parts = [r for r in rb.node_rows() if r["depth"] == 1]
    out.append("<table><tr><th>Part</th><th>Points</th></tr>")
    for p in parts:
        pts = report.points(p["id"])
        out.append(f"<tr><td>{_esc(p['id'])} {_esc(p['title'])}</td><td>{_num(pts)}</td></tr>")
    out.append("</table>")
    failed = [g for g in report.gates if g["result"] != "pass"]
    if failed:
        out.append("<p class='bad'>Gates not passed: ")
        out.append(", ".join(f"{_esc(g['id'])} ({_esc(g['result'])})" for g in failed))
        out.append("</p>")
    for g in report.decision["grades"]:
        if g["held"]:
            continue
        misses = [c for c in g["conditions"] if not c["held"]]
        out.append(f"<p>{_esc(g['grade'])} not met:</p><ul>")
        out.extend(
            f"<li class='bad'>{_esc(c['condition'])}: {_esc(c['detail'])}</li>" for c in misses
        )
        out.append("</ul>")
    ded = report.deductions[:top]
    if ded:
        out.append("<table><tr><th>Lost</th><th>Criterion</th><th>Dept.</th><th>Reason</th></tr>")
        for d in ded:
            out.append(
                f"<tr><td>-{_num(d['lost_in_total'])}</td><td>{_esc(d['id'])} "
                f"{_esc(d['title'])}</td><td>{_esc(d['department'])}</td>"
                f"<td>{_esc(d['reason'])}</td></tr>"
            )
        out.append("</table>")
    out.append("</div>")
    return "".join(out)


def batch_html(result: BatchResult, rows: int = 20) -> str:
    """A compact HTML view of a batch: counts and the first rows of the summary."""
    t = result.summary()
    head = t.slice(0, rows).to_pylist()
    cols = t.column_names
    out = [_STYLE, '<div class="sanjia">', f"<p>{_esc(repr(result))}</p><table><tr>"]
    out.extend(f"<th>{_esc(c)}</th>" for c in cols)
    out.append("</tr>")
    for r in head:
        out.append("<tr>" + "".join(f"<td>{_esc(r[c])}</td>" for c in cols) + "</tr>")
    out.append("</table>")
    if t.num_rows > rows:
        out.append(f"<p>… {t.num_rows - rows} more rows</p>")
    out.append("</div>")
    return "".join(out)
