"""Self-contained HTML reports (inline CSS, no scripts, no external files) to send by mail.

``report_html(report)`` (also ``Report.to_html()`` and ``Report.write("x.html")``) renders one
hospital: the result and grade, the total and part scores, the gates, the decision trace with
every condition (failed ones marked), the deductions largest first with their reasons, a view
per responsible department and the missing evidence. ``batch_html(result)`` renders one row
per hospital. Every text from the rulebook or the evidence is escaped.
"""

from __future__ import annotations

import html as _html
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanjia._sanjia import BatchResult, Report

__all__ = ["batch_html", "department_rows", "report_html"]

#: How many deductions the page lists (the rest are counted).
TOP_DEDUCTIONS = 30

_CSS = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei","Source Han Sans SC",
"WenQuanYi Micro Hei",system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:#1f2328;max-width:1100px;margin:24px auto;padding:0 16px;line-height:1.45;font-size:14px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;
border-bottom:2px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}
.meta{color:#57606a;font-size:13px}
.result{display:flex;gap:16px;flex-wrap:wrap;margin:16px 0}
.card{border:1px solid #d0d7de;border-radius:8px;padding:10px 16px;min-width:150px}
.card .label{color:#57606a;font-size:12px}.card .value{font-size:22px;font-weight:600}
.ok{color:#1a7f37}.bad{color:#cf222e}.warn{color:#9a6700}
table{border-collapse:collapse;width:100%;margin:6px 0 10px}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600}td.num,th.num{text-align:right;white-space:nowrap}
tr.fail td{background:#fff5f5}
.bar{background:#eaeef2;height:10px;border-radius:5px;min-width:120px}
.bar span{display:block;height:10px;border-radius:5px;background:#2f81f7}
ul.trace{list-style:none;padding-left:18px;margin:4px 0}ul.trace li{margin:2px 0}
.mark{display:inline-block;width:1.3em;font-weight:700}
.detail{color:#57606a;font-size:13px}
.footer{color:#57606a;font-size:12px;margin-top:32px;border-top:1px solid #d0d7de;
padding-top:8px}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}tr{break-inside:avoid}}
"""


def esc(x: object) -> str:
    """Escape any value for HTML text and attributes (None → empty)."""
    return _html.escape("" if x is None else str(x), quote=True)


def dec(x: object, places: int | None = None) -> str:
    """A decimal as text without trailing zeros (``"15.00"`` → ``"15"``); ``–`` for None."""
    if x is None:
        return "–"
    try:
        d = Decimal(str(x))
    except InvalidOperation:
        return str(x)
    if places is not None:
        d = round(d, places)
    s = format(d.normalize(), "f")
    return "0" if s in ("-0", "") else s


def pct(x: object) -> str:
    """A rate (0–1) as a percentage with up to two decimals."""
    if x is None:
        return "–"
    return dec(Decimal(str(x)) * 100, 2) + "%"


def _table(
    headers: Sequence[tuple[str, bool]],
    rows: Iterable[Sequence[str]],
    row_classes: Sequence[str] | None = None,
) -> str:
    """An HTML table; cells are already escaped HTML. ``headers`` are (text, numeric)."""
    out = ["<table><thead><tr>"]
    out.extend(f"<th{' class=num' if num else ''}>{esc(h)}</th>" for h, num in headers)
    out.append("</tr></thead><tbody>")
    for k, r in enumerate(rows):
        cls = row_classes[k] if row_classes and row_classes[k] else ""
        out.append(f'<tr class="{cls}">' if cls else "<tr>")
        for (_, num), cell in zip(headers, r, strict=True):
            out.append(f'<td class="num">{cell}</td>' if num else f"<td>{cell}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _bar(rate: object) -> str:
    if rate is None:
        return ""
    width = max(0.0, min(100.0, float(Decimal(str(rate)) * 100)))
    return f'<div class="bar"><span style="width:{width:.1f}%"></span></div>'


def department_rows(report: Report) -> list[dict[str, Any]]:
    """One row per responsible department: criteria, deductions, points lost in the total,
    missing evidence and gates not passed; largest loss first."""
    d = report.to_dict()
    unassigned = "（未指定）unassigned"
    depts: dict[str, dict[str, Any]] = {}

    def slot(name: str | None) -> dict[str, Any]:
        key = name or unassigned
        return depts.setdefault(
            key,
            {
                "department": key,
                "criteria": 0,
                "deductions": 0,
                "lost_in_total": Decimal(0),
                "missing": 0,
                "gates_not_passed": [],
            },
        )

    for n in d["nodes"]:
        if n["kind"] == "group":
            continue
        s = slot(n["department"])
        s["criteria"] += 1
        if n["kind"] == "gate" and n["level"] != "pass":
            s["gates_not_passed"].append(n["id"])
    for x in d["deductions"]:
        s = slot(x["department"])
        s["deductions"] += 1
        s["lost_in_total"] += Decimal(x["lost_in_total"])
    for m in d["missing"]:
        slot(m["department"])["missing"] += 1
    return sorted(depts.values(), key=lambda r: (-r["lost_in_total"], r["department"]))


def _trace(t: Mapping[str, Any]) -> str:
    held = bool(t["held"])
    mark = '<span class="mark ok">✓</span>' if held else '<span class="mark bad">✗</span>'
    cls = "" if held else ' class="bad"'
    out = [f"<li>{mark}<span{cls}>{esc(t['condition'])}</span>"]
    parts = t.get("parts") or []
    if parts:
        out.append('<ul class="trace">')
        out.extend(_trace(p) for p in parts)
        out.append("</ul>")
    else:
        out.append(f'<div class="detail">{esc(t["detail"])}</div>')
    out.append("</li>")
    return "".join(out)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{_CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def report_html(report: Report, top: int = TOP_DEDUCTIONS) -> str:
    """The whole report of one hospital as a self-contained HTML page."""
    import sanjia

    d = report.to_dict()
    rb = d["rulebook"]
    b: list[str] = []
    edition = f" · {rb['edition']}" if rb.get("edition") else ""
    b.append(f"<h1>评审报告 Review report — {esc(d['hospital'])}</h1>")
    b.append(
        f'<div class="meta">评审规则 rulebook: {esc(rb["id"])} {esc(rb["title"])}'
        f"{esc(edition)}</div>"
    )

    graded = d["grade"] is not None
    rate = None
    if d["total"] is not None and Decimal(d["max_total"]) > 0:
        rate = Decimal(d["total"]) / Decimal(d["max_total"])
    b.append('<div class="result">')
    grade = esc(d["grade"] or "未定等 none")
    b.append(
        '<div class="card"><div class="label">等级 grade</div>'
        f'<div class="value {"ok" if graded else "bad"}">{grade}</div></div>'
    )
    b.append(
        '<div class="card"><div class="label">总分 total</div>'
        f'<div class="value">{dec(d["total"])}</div>'
        f'<div class="label">满分 of {dec(d["max_total"])} · {pct(rate)}</div></div>'
    )
    if d["earned_grade"] != d["grade"]:
        b.append(
            '<div class="card"><div class="label">条件所得等级 earned by conditions</div>'
            f'<div class="value warn">{esc(d["earned_grade"] or "–")}</div></div>'
        )
    b.append("</div>")
    b.append(f'<p><b>结果 Result:</b> <span class="{"ok" if graded else "bad"}">')
    b.append(f"{esc(d['status'])}</span></p>")

    # Part scores.
    nodes = d["nodes"]
    parts = [n for n in nodes if n["depth"] == 1]
    b.append("<h2>各部分得分 Part scores</h2>")
    b.append(
        _table(
            [
                ("编号 id", False),
                ("名称 title", False),
                ("得分 points", True),
                ("满分 max", True),
                ("得分率 rate", True),
                ("", False),
            ],
            [
                [
                    esc(p["id"]),
                    esc(p["title"]),
                    dec(p["points"], 4),
                    dec(p["max_points"], 4),
                    pct(p["rate"]),
                    _bar(p["rate"]),
                ]
                for p in parts
            ],
        )
    )
    chapters = [n for n in nodes if n["depth"] == 2 and n["kind"] == "group"]
    if chapters:
        b.append("<h3>各章节 Chapters</h3>")
        b.append(
            _table(
                [
                    ("编号 id", False),
                    ("名称 title", False),
                    ("得分 points", True),
                    ("满分 max", True),
                    ("得分率 rate", True),
                    ("", False),
                ],
                [
                    [
                        esc(c["id"]),
                        esc(c["title"]),
                        dec(c["points"], 4),
                        dec(c["max_points"], 4),
                        pct(c["rate"]),
                        _bar(c["rate"]),
                    ]
                    for c in chapters
                ],
            )
        )

    # Gates.
    gates = d["gates"]
    if gates:
        failed = [g for g in gates if g["result"] != "pass"]
        b.append("<h2>前置要求 Gates</h2>")
        if not failed:
            b.append(f'<p class="ok">全部 {len(gates)} 项通过 · every gate passed</p>')
        b.append(
            _table(
                [
                    ("编号 id", False),
                    ("名称 title", False),
                    ("结果 result", False),
                    ("后果 outcome", False),
                    ("影响 effect", False),
                ],
                [
                    [
                        esc(g["id"]),
                        esc(g["title"]),
                        esc(g["result"]),
                        esc(g["outcome_title"]),
                        esc(g["effect"]),
                    ]
                    for g in gates
                ],
                ["fail" if g["result"] != "pass" else "" for g in gates],
            )
        )

    # Decision trace.
    b.append("<h2>评级判定 Decision</h2>")
    for g in d["decision"]:
        title = f" {g['title']}" if g.get("title") else ""
        verdict = (
            '<span class="ok">✓ 满足 all conditions hold</span>'
            if g["held"]
            else '<span class="bad">✗ 未满足 not met</span>'
        )
        b.append(f"<h3>{esc(g['grade'])}{esc(title)} — {verdict}</h3>")
        if not g["conditions"]:
            b.append('<p class="detail">无条件 no conditions</p>')
            continue
        b.append('<ul class="trace">')
        b.extend(_trace(t) for t in g["conditions"])
        b.append("</ul>")

    # Deductions.
    ded = d["deductions"]
    b.append(f"<h2>扣分 Deductions ({len(ded)})</h2>")
    if ded:
        shown = ded[:top]
        b.append(
            _table(
                [
                    ("总分扣分 lost in total", True),
                    ("编号 id", False),
                    ("名称 title", False),
                    ("责任部门 department", False),
                    ("得分 points", True),
                    ("满分 max", True),
                    ("原因 reason", False),
                ],
                [
                    [
                        f"−{dec(x['lost_in_total'], 4)}",
                        esc(x["id"]),
                        esc(x["title"]),
                        esc(x["department"]),
                        dec(x["points"], 4),
                        dec(x["max_points"], 4),
                        esc(x["reason"]),
                    ]
                    for x in shown
                ],
            )
        )
        if len(ded) > len(shown):
            b.append(
                f'<p class="detail">… {len(ded) - len(shown)} more deductions '
                "(the Excel report lists all)</p>"
            )
    else:
        b.append('<p class="ok">无扣分 no points lost</p>')

    # Departments.
    depts = department_rows(report)
    if depts:
        b.append("<h2>责任部门 Departments</h2>")
        b.append(
            _table(
                [
                    ("责任部门 department", False),
                    ("条目 criteria", True),
                    ("扣分条目 with deductions", True),
                    ("总分扣分 lost in total", True),
                    ("缺失 missing", True),
                    ("未通过前置要求 gates not passed", False),
                ],
                [
                    [
                        esc(r["department"]),
                        str(r["criteria"]),
                        str(r["deductions"]),
                        dec(r["lost_in_total"], 4),
                        str(r["missing"]),
                        esc(", ".join(r["gates_not_passed"])),
                    ]
                    for r in depts
                ],
                ["fail" if r["gates_not_passed"] else "" for r in depts],
            )
        )

    # Missing evidence.
    missing = d["missing"]
    b.append(f"<h2>缺失证据 Missing evidence ({len(missing)})</h2>")
    if missing:
        b.append(
            _table(
                [
                    ("编号 id", False),
                    ("名称 title", False),
                    ("类型 kind", False),
                    ("责任部门 department", False),
                    ("计为 counted as", False),
                    ("说明 detail", False),
                ],
                [
                    [
                        esc(m["id"]),
                        esc(m["title"]),
                        esc(m["kind"]),
                        esc(m["department"]),
                        esc(m["counted_as"]),
                        esc(m["detail"]),
                    ]
                    for m in missing
                ],
            )
        )
    else:
        b.append('<p class="ok">无缺失 nothing missing</p>')

    b.append(
        f'<div class="footer">sanjia {esc(sanjia.__version__)} · {esc(rb["id"])} '
        f"{esc(rb.get('version') or '')} · 每一分扣分均附原因 every deducted point has its "
        "reason</div>"
    )
    return _page(f"评审报告 {d['hospital']} — {rb['id']}", "".join(b))


def batch_html(result: BatchResult) -> str:
    """One row per hospital (result, grade, total, part scores, failed gates, errors) as a
    self-contained HTML page."""
    import sanjia

    t = result.summary()
    cols = t.column_names
    rows = t.to_pylist()
    b = [f"<h1>批量评审 Batch — {len(rows)} hospitals</h1>"]
    b.append(
        f'<div class="meta">{result.n_scored} scored, {len(rows) - result.n_scored} errors</div>'
    )
    numeric = {c for c in cols if t.schema.field(c).type in (_float64(),)}

    def cell(v: object, c: str) -> str:
        if v is None:
            return ""
        if c in numeric and isinstance(v, float):
            return dec(round(v, 4))
        return esc(v)

    b.append(
        _table(
            [(c, c in numeric) for c in cols],
            [[cell(r[c], c) for c in cols] for r in rows],
            ["fail" if (r.get("error") or r.get("failed_gates")) else "" for r in rows],
        )
    )
    b.append(f'<div class="footer">sanjia {esc(sanjia.__version__)}</div>')
    return _page(f"批量评审 Batch — {len(rows)} hospitals", "".join(b))


def _float64() -> Any:
    import pyarrow as pa

    return pa.float64()
