"""Reports out: files (Parquet, CSV, JSON, text), the self-contained HTML report, plots,
Jupyter views, and long-format evidence tables in (CSV with a BOM, GB18030, Parquet)."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sanjia
from conftest import evidence_rows
from sanjia.html import department_rows

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "source"}


class WellFormed(HTMLParser):
    """Checks that every element is closed in order, and records text and tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> WellFormed:
    p = WellFormed()
    p.feed(page)
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, f"unclosed: {p.stack}"
    return p


def leaves(t: dict[str, Any]) -> list[dict[str, Any]]:
    if t.get("parts"):
        return [x for p in t["parts"] for x in leaves(p)]
    return [t]


@pytest.mark.parametrize(
    ("rulebook", "sample"),
    [
        ("demo", "grade-b"),
        ("demo", "deferred"),
        ("cn-tertiary-2022", "grade-c"),
        ("jci-8th", "chapter-below-8"),
    ],
)
def test_html_report_content(rulebook: str, sample: str) -> None:
    report = sanjia.score(rulebook, sanjia.Evidence.sample(rulebook, sample))
    page = report.to_html()
    assert page.startswith("<!DOCTYPE html>")
    p = parse(page)
    text = " ".join(p.text)
    # Self-contained: no scripts, no external files.
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags
    assert not any(k in ("src", "href") for k, _ in p.attrs)
    assert report.hospital in text and report.status in text
    if report.grade:
        assert report.grade in text
    # Every failed condition, with what was measured.
    for g in report.decision["grades"]:
        for c in g["conditions"]:
            for leaf in leaves(c):
                if not leaf["held"]:
                    assert leaf["condition"] in text, leaf["condition"]
                    assert leaf["detail"] in text, leaf["detail"]
    # The largest deductions with their reasons; every part; every department; missing.
    for d in report.deductions[:30]:
        assert d["reason"] in text and d["title"] in text
    for part in (r for r in report.rulebook.node_rows() if r["depth"] == 1):
        assert part["title"] in text
    for dept in department_rows(report):
        assert dept["department"] in text
    for m in report.missing:
        assert m["detail"] in text
    for g in report.gates:
        if g["result"] != "pass":
            assert g["id"] in text and (g["outcome_title"] or "") in text


def test_html_escapes_everything() -> None:
    rb = sanjia.Rulebook.from_toml(
        """
[rulebook]
id = "x<y>"
title = "<script>alert('t')</script> & co"
[[node]]
id = "P<1>"
title = "<b>bold</b>"
[[node]]
id = "a&1"
parent = "P<1>"
kind = "article"
title = "<img src=x onerror=alert(1)>"
department = "<i>科</i>"
points = { A = 4, B = 3, C = 2, D = 0 }
[[grade]]
id = "<A>"
when = ["total >= 4"]
[[grade]]
id = "none"
"""
    )
    report = sanjia.score(rb, {"hospital": "<H&1>", "articles": {"a&1": "C"}})
    page = report.to_html()
    p = parse(page)
    assert "script" not in p.tags and "img" not in p.tags and "i" not in p.tags
    assert "<script>" not in page and "<img" not in page and "<b>bold" not in page
    text = " ".join(p.text)
    assert "<script>alert('t')</script> & co" in text and "<H&1>" in text
    assert "<img src=x onerror=alert(1)>" in text
    assert html.escape("<i>科</i>") in page
    assert "&lt;A&gt;" in page


def test_repr_html_stays_compact(demo: sanjia.Rulebook) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo", "grade-b"))
    view = report._repr_html_()
    parse(view)
    assert len(view) < len(report.to_html()) / 2
    assert "<!DOCTYPE" not in view


def test_chromium_renders_the_report(tmp_path: Path) -> None:
    browser = next(
        (
            shutil.which(b)
            for b in ("chromium", "chromium-browser", "google-chrome")
            if shutil.which(b)
        ),
        None,
    )
    if browser is None:
        pytest.skip(
            "Chromium is not installed here (apt-get install chromium): HTML checked by parser only"
        )
    report = sanjia.score("demo", sanjia.Evidence.sample("demo", "grade-b"))
    page = tmp_path / "report.html"
    report.write(page)
    png = tmp_path / "report.png"
    r = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--window-size=1100,1800",
            f"--screenshot={png}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_write_formats(tmp_path: Path, demo: sanjia.Rulebook) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo"))
    for ext in ("parquet", "csv", "json", "txt", "html", "xlsx"):
        report.write(tmp_path / f"r.{ext}")
    nodes = pq.read_table(tmp_path / "r.parquet")
    assert nodes.equals(report.to_arrow())
    raw = (tmp_path / "r.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV for Excel starts with a BOM"
    assert "总分" in raw.decode("utf-8-sig")
    import pyarrow.csv as pacsv

    back = pacsv.read_csv(tmp_path / "r.csv")
    assert back.column_names == nodes.column_names and back.num_rows == nodes.num_rows
    assert json.loads((tmp_path / "r.json").read_text("utf-8")) == report.to_dict()
    assert (tmp_path / "r.txt").read_text("utf-8") == report.explain()
    report.write(tmp_path / "r.data", format="json")
    assert json.loads((tmp_path / "r.data").read_text("utf-8"))["grade"] == "甲等"
    with pytest.raises(ValueError, match="cannot tell the format"):
        report.write(tmp_path / "r.unknown")
    with pytest.raises(ValueError, match="unknown format"):
        report.write(tmp_path / "r.csv", format="docx")
    with pytest.raises(OSError):
        report.write(tmp_path / "no" / "such" / "r.xlsx")


def test_batch_write_formats(
    tmp_path: Path, demo: sanjia.Rulebook, samples: list[sanjia.Evidence]
) -> None:
    result = sanjia.score_batch(demo, samples)
    result.write(tmp_path / "s.parquet")
    assert pq.read_table(tmp_path / "s.parquet").equals(result.summary())
    result.write(tmp_path / "n.parquet", table="nodes")
    assert pq.read_table(tmp_path / "n.parquet").num_rows == result.nodes().num_rows
    result.write(tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result.write(tmp_path / "s.json")
    rows = json.loads((tmp_path / "s.json").read_text("utf-8"))
    assert [r["hospital_id"] for r in rows] == [e.hospital for e in samples]
    result.write(tmp_path / "s.html")
    page = (tmp_path / "s.html").read_text("utf-8")
    p = parse(page)
    assert all(e.hospital in " ".join(p.text) for e in samples)
    with pytest.raises(ValueError, match="summary"):
        result.write(tmp_path / "x.csv", table="everything")


def test_plots(demo: sanjia.Rulebook) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    report = sanjia.score(demo, sanjia.Evidence.sample("demo", "grade-b"))
    fig = report.plot()
    assert len(fig.axes) == 2
    left, right = fig.axes
    chapters = [
        r
        for r in report.to_dict()["nodes"]
        if r["depth"] == 2 and r["kind"] == "group" and r["applicable"]
    ]
    assert len(left.patches) == len(chapters)
    lost = [r for r in department_rows(report) if r["lost_in_total"] > 0]
    assert [t.get_text() for t in right.get_yticklabels()] == [r["department"] for r in lost]
    widths = [p.get_width() for p in right.patches]
    assert widths == sorted(widths, reverse=True)
    plt.close(fig)
    for kind in ("parts", "chapters", "departments"):
        f = report.plot(kind)
        assert f.axes
        plt.close(f)
    _, ax = plt.subplots()
    assert report.plot("parts", ax=ax) is ax.figure
    with pytest.raises(ValueError, match="unknown plot kind"):
        report.plot("pie")
    with pytest.raises(ValueError, match="overview"):
        report.plot("overview", ax=ax)
    plt.close("all")


def test_exam_plot_shows_rates_against_targets() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sanjia import exams

    # 内科: 20 expected, all sat, 19 passed (95%: both targets met);
    # 外科: 20 expected, 19 sat, 18 of them passed (95% participation, 94.7% pass: both missed).
    staff = [f"s{i}" for i in range(40)]
    roster = pa.table(
        {
            "staff_id": staff,
            "department": ["内科"] * 20 + ["外科"] * 20,
            "category": ["医师"] * 40,
        }
    )
    scores = [80.0] * 19 + [50.0] + [80.0] * 18 + [50.0]
    sittings = pa.table(
        {"staff_id": staff[:20] + staff[20:39], "exam_id": ["e1"] * 39, "score": scores}
    )
    result = exams.evaluate(roster, sittings, by=("department",))
    fig = result.plot()
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(labels) == ["内科", "外科"]
    assert len(ax.patches) == 4
    red, green = (0.812, 0.133, 0.180), (0.102, 0.498, 0.216)
    for k, dept in enumerate(labels):
        colors = [tuple(round(c, 3) for c in p.get_facecolor()[:3]) for p in ax.patches[k::2]]
        assert set(colors) == ({green} if dept == "内科" else {red}), (dept, colors)
    widths = sorted(round(p.get_width(), 1) for p in ax.patches)
    assert widths == [94.7, 95.0, 95.0, 100.0]
    assert {line.get_xdata()[0] for line in ax.get_lines()} == {100.0, 95.0}
    # Bar labels are truncated like the text report: 18/19 = 94.736...% shows as 94.73%.
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == ["100.00%", "94.73%", "95.00%", "95.00%"]
    assert exams.format_rate(0.99996) == "99.99%" and exams.format_rate(94 / 99) == "94.94%"
    assert exams.format_rate(None) == "–"
    plt.close("all")


def test_read_table_csv_bom_gb18030_and_parquet(tmp_path: Path, demo: sanjia.Rulebook) -> None:
    ev = sanjia.Evidence.sample("demo")
    rows = evidence_rows(ev)
    table = pa.Table.from_pylist(rows)
    header = ",".join(table.column_names)

    def line(r: dict[str, Any]) -> str:
        return ",".join("" if r[c] is None else str(r[c]) for c in table.column_names)

    text = "\n".join([header, *(line(r) for r in rows)]) + "\n"
    # Excel's "CSV UTF-8" has a BOM; a Chinese Windows export is often GB18030.
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("pass", "通过").encode())
    (tmp_path / "gb.csv").write_bytes(text.replace("pass", "通过").encode("gb18030"))
    pq.write_table(table, tmp_path / "e.parquet")
    want = sanjia.score(demo, ev).to_json()
    for path, enc in [("bom.csv", None), ("gb.csv", "gb18030"), ("e.parquet", None)]:
        t = sanjia.read_table(tmp_path / path, encoding=enc)
        assert t.schema.field("hospital_id").type == pa.string()
        assert t.schema.field("period").type == pa.string()
        assert sanjia.score_batch(demo, t)[0].to_json() == want, path
    with pytest.raises(ValueError, match="ends in"):
        sanjia.read_table(tmp_path / "x.txt")

    # The same table kept on a workbook sheet, below a title line, periods typed as numbers.
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["省级评审数据 2024"])
    ws.append(table.column_names)
    for r in rows:
        ws.append([int(r[c]) if c == "period" and r[c] else r[c] for c in table.column_names])
    wb.save(tmp_path / "e.xlsx")
    t = sanjia.read_table(tmp_path / "e.xlsx")
    assert t.schema.field("period").type == pa.string()
    assert t.schema.field("value").type == pa.float64()
    assert sanjia.score_batch(demo, t)[0].to_json() == want
    with pytest.raises(ValueError, match="no sheet"):
        sanjia.read_table(tmp_path / "e.xlsx", sheet="其他")


def test_tables_of_every_kind_are_accepted(demo: sanjia.Rulebook) -> None:
    rows = evidence_rows(sanjia.Evidence.sample("demo"))
    t = pa.Table.from_pylist(rows)
    want = sanjia.score_batch(demo, t)[0].to_json()
    pl = pytest.importorskip("polars")
    pd = pytest.importorskip("pandas")
    for data in (
        t,
        t.to_batches()[0],
        pa.RecordBatchReader.from_batches(t.schema, t.to_batches()),
        pd.DataFrame(rows),
        pl.DataFrame(rows),
    ):
        assert sanjia.score_batch(demo, data)[0].to_json() == want, type(data)
    assert isinstance(t, sanjia.ArrowStreamExportable)
    with pytest.raises(TypeError, match="collect"):
        sanjia.score_batch(demo, pl.DataFrame(rows).lazy())
