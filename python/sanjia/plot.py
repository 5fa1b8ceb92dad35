"""Plots of a report (matplotlib, the optional ``plot`` extra: ``pip install sanjia[plot]``).

``report.plot()`` calls :func:`plot_report`. Kinds:

- ``"overview"`` (default): the score profile (part and chapter rates) beside the points each
  responsible department lost;
- ``"parts"``: the rate of each part;
- ``"chapters"``: the rate of each chapter (the parts' children), coloured by part;
- ``"departments"``: the points each department lost in the total, largest first.

``sanjia.exams.evaluate(...).plot()`` calls :func:`plot_exams`: each group's participation rate
(参考率) and judged pass rate (合格率) beside the policy's targets, red where a target is missed.

Chinese titles need a CJK font; the first installed of the usual ones is used (Noto Sans CJK,
Source Han Sans, WenQuanYi, Microsoft YaHei, PingFang, SimHei).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanjia._sanjia import Report
    from sanjia.exams import ExamResult

__all__ = ["KINDS", "plot_exams", "plot_report"]

KINDS = ("overview", "parts", "chapters", "departments")

_CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Heiti SC",
)


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "report.plot() needs matplotlib: pip install 'sanjia[plot]' (or matplotlib)"
        ) from None
    return matplotlib


def _fonts() -> list[str]:
    """CJK fonts that are installed, then matplotlib's default."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in _CJK_FONTS if f in installed] + ["DejaVu Sans"]


def _label(node_id: str, title: str, width: int = 22) -> str:
    t = title if len(title) <= width else title[: width - 1] + "…"
    return f"{node_id} {t}"


def _rate(x: object) -> float:
    return 0.0 if x is None else float(Decimal(str(x))) * 100


def _draw_rates(
    ax: Any, rows: list[dict[str, Any]], colors: list[str], title: str, font: list[str]
) -> None:
    labels = [_label(r["id"], r["title"]) for r in rows]
    values = [_rate(r["rate"]) for r in rows]
    y = list(range(len(rows)))
    ax.barh(y, values, color=colors)
    ax.set_yticks(y, labels, fontfamily=font)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel("得分率 rate (%)", fontfamily=font)
    ax.set_title(title, fontfamily=font)
    for k, (v, r) in enumerate(zip(values, rows, strict=True)):
        text = "n/a" if r["rate"] is None else f"{v:.1f}%"
        ax.text(min(v, 100) + 1, k, text, va="center", fontsize=8)
    ax.grid(axis="x", alpha=0.3)


def _profile(ax: Any, report: Report, chapters: bool, font: list[str]) -> None:
    nodes = report.to_dict()["nodes"]
    parts = [n for n in nodes if n["depth"] == 1 and n["applicable"]]
    palette = ["#2f81f7", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#0969da", "#bf3989"]
    if not chapters:
        colors = [palette[k % len(palette)] for k in range(len(parts))]
        _draw_rates(ax, parts, colors, "各部分得分率 part scores", font)
        return
    part_color = {p["id"]: palette[k % len(palette)] for k, p in enumerate(parts)}
    rows = [
        n for n in nodes if n["depth"] == 2 and n["kind"] == "group" and n["parent"] in part_color
    ]
    if not rows:  # a flat rulebook: the parts are the profile
        rows = parts
        colors = [part_color[p["id"]] for p in parts]
    else:
        colors = [part_color[n["parent"]] for n in rows]
    _draw_rates(ax, rows, colors, "各章节得分率 chapter scores", font)
    if len(parts) > 1:
        from matplotlib.patches import Patch

        handles = [
            Patch(color=part_color[p["id"]], label=_label(p["id"], p["title"], 14)) for p in parts
        ]
        ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncol=min(3, len(handles)),
            prop={"family": font, "size": 8},
            frameon=False,
        )


def _departments(ax: Any, report: Report, font: list[str]) -> None:
    from sanjia.html import department_rows

    rows = [r for r in department_rows(report) if r["lost_in_total"] > 0]
    ax.set_title("各部门扣分 points lost by department", fontfamily=font)
    if not rows:
        ax.text(0.5, 0.5, "无扣分 no points lost", ha="center", va="center", fontfamily=font)
        ax.set_axis_off()
        return
    y = list(range(len(rows)))
    values = [float(r["lost_in_total"]) for r in rows]
    ax.barh(y, values, color="#cf222e")
    ax.set_yticks(y, [r["department"] for r in rows], fontfamily=font)
    ax.invert_yaxis()
    ax.set_xlabel("总分扣分 points lost in the total", fontfamily=font)
    ax.set_xlim(0, max(values) * 1.15)
    for k, v in enumerate(values):
        ax.text(v, k, f" {v:.2f}", va="center", fontsize=8)
    ax.grid(axis="x", alpha=0.3)


def plot_report(report: Report, kind: str = "overview", ax: Any = None) -> Any:
    """Plot a report; returns the matplotlib Figure (drawn into ``ax`` when given)."""
    if kind not in KINDS:
        raise ValueError(f"unknown plot kind {kind!r}: use one of {', '.join(KINDS)}")
    _matplotlib()
    font = _fonts()
    if kind == "overview":
        if ax is not None:
            raise ValueError("the overview draws two plots: pass ax only with another kind")
        import matplotlib.pyplot as plt

        fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), layout="constrained")
        _profile(left, report, True, font)
        _departments(right, report, font)
        fig.suptitle(f"{report.hospital} — {report.status}", fontfamily=font)
        return fig
    if ax is None:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
    if kind == "parts":
        _profile(ax, report, False, font)
    elif kind == "chapters":
        _profile(ax, report, True, font)
    else:
        _departments(ax, report, font)
    return ax.figure


def _target_percent(text: str) -> float | None:
    """``">= 95%"`` → 95.0 (the number of a target as the policy writes it)."""
    digits = text.replace("%", "").split()[-1:] if text else []
    try:
        return float(Decimal(digits[0])) if digits else None
    except ArithmeticError:
        return None


def plot_exams(result: ExamResult, ax: Any = None, max_groups: int = 40) -> Any:
    """Plot an exam result: per group (the rows of ``result.summary``, the first
    ``max_groups``), the participation rate and the judged pass rate as bars beside the
    policy's targets (dashed lines); a bar is red where its target is missed (decided exactly
    from the counts), green where it is met. Returns the matplotlib Figure."""
    from sanjia.exams import format_rate

    _matplotlib()
    font = _fonts()
    summary = result.summary
    rows: list[dict[str, Any]] = summary.slice(0, max_groups).to_pylist()
    dims = list(result.by)
    if ax is None:
        import matplotlib.pyplot as plt

        height = 1.6 + 0.45 * max(len(rows), 1)
        _, ax = plt.subplots(figsize=(9, min(height, 40)), layout="constrained")
    title = "三基考核 参考率 / 合格率 exam participation and pass rates"
    if summary.num_rows > len(rows):
        title += f" (first {len(rows)} of {summary.num_rows} groups)"
    ax.set_title(title, fontfamily=font)
    if not rows:
        ax.text(0.5, 0.5, "无考核 no exam groups", ha="center", va="center", fontfamily=font)
        ax.set_axis_off()
        return ax.figure
    labels = [" · ".join(str(r[d]) for d in dims) or "total" for r in rows]
    y = list(range(len(rows)))
    bar = 0.38
    colors = {True: "#1a7f37", False: "#cf222e", None: "#8c959f"}
    for offset, rate, met, name in (
        (-bar / 2, "participation_rate", "participation_met", "参考率 participation"),
        (bar / 2, "judged_pass_rate", "pass_met", "合格率 pass rate"),
    ):
        values = [_rate(r[rate]) for r in rows]
        ax.barh(
            [k + offset for k in y],
            values,
            height=bar,
            color=[colors[r[met]] for r in rows],
            alpha=1.0 if rate == "participation_rate" else 0.65,
            label=name,
        )
        for k, (v, r) in enumerate(zip(values, rows, strict=True)):
            # Truncated like the text report: 99.996% never shows as 100.00%.
            text = "n/a" if r[rate] is None else format_rate(r[rate])
            ax.text(min(v, 100) + 0.5, k + offset, text, va="center", fontsize=7)
    for target, style in (
        (_target_percent(result.participation_target), "--"),
        (_target_percent(result.pass_target), ":"),
    ):
        if target is not None:
            ax.axvline(target, color="#57606a", linestyle=style, linewidth=1)
    ax.set_yticks(y, labels, fontfamily=font)
    ax.invert_yaxis()
    ax.set_xlim(0, 112)
    ax.set_xticks([0, 20, 40, 60, 80, 100])
    ax.set_xlabel(
        f"% (targets: participation {result.participation_target}, pass {result.pass_target})",
        fontfamily=font,
    )
    ax.legend(loc="lower right", prop={"family": font, "size": 8})
    ax.grid(axis="x", alpha=0.3)
    return ax.figure
