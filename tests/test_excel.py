"""Excel from Python: the fill-in template, filled as a quality office would (openpyxl), read
back and scored; errors naming sheet, row and column; report workbooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sanjia

PERIODS = ["2022", "2023", "2024"]


def fill(template: Path, ev: sanjia.Evidence, out: Path) -> None:
    """Fill a blank template with an evidence's answers and figures, cell by cell, the way a
    quality office pastes its figures: rows found by id, columns by header."""
    d = ev.to_dict()
    answers: dict[str, str] = {}
    for cid, passed in d["gates"].items():
        answers[cid] = "通过" if passed else "不通过"
    answers.update(d["articles"])
    answers.update(d["elements"])
    wb = openpyxl.load_workbook(template)
    readme = wb["说明 readme"]
    for row in readme.iter_rows(min_row=1, max_row=10):
        label = str(row[0].value or "")
        if label == "医院编号 hospital":
            row[1].value = d["hospital"]
        elif label == "医院名称 name" and d.get("name"):
            row[1].value = d["name"]
    placed: set[str] = set()
    for ws in wb.worksheets[1:]:
        headers = {str(c.value): c.column for c in ws[2] if c.value}
        for row in ws.iter_rows(min_row=3):
            cid = row[0].value
            r = row[0].row
            if cid in answers:
                ws.cell(row=r, column=headers["评价 answer"], value=answers[cid])
                placed.add(cid)
            for period, obs in d["indicators"].get(cid, {}).items():
                label = f"{period} " if period else ""
                if isinstance(obs, dict):
                    ws.cell(r, headers[f"{label}分子 numerator"], float(obs["numerator"]))
                    ws.cell(r, headers[f"{label}分母 denominator"], float(obs["denominator"]))
                else:
                    ws.cell(r, headers[f"{label}值 value"], float(obs))
                placed.add(cid)
    assert placed == set(answers) | set(d["indicators"]), "every answer has its row"
    wb.save(out)


def periods_of(ev: sanjia.Evidence) -> list[str]:
    return sorted({p for s in ev.to_dict()["indicators"].values() for p in s})


CASES = [
    (rb, s) for rb in sanjia.Rulebook.builtin_names() for s in sanjia.Evidence.sample_names(rb)
]


@pytest.mark.parametrize(("rulebook", "sample"), CASES)
def test_round_trip_template_filled_workbook_same_report(
    tmp_path: Path, rulebook: str, sample: str
) -> None:
    rb = sanjia.Rulebook.builtin(rulebook)
    ev = sanjia.Evidence.sample(rulebook, sample)
    template = tmp_path / "template.xlsx"
    sanjia.write_template(rb, template, periods=periods_of(ev) or None)
    filled = tmp_path / "filled.xlsx"
    fill(template, ev, filled)
    back = sanjia.Evidence.load(filled)
    assert back.to_dict() == ev.to_dict()
    assert back.rulebook_id == rb.id
    assert sanjia.score(rb, filled).to_json() == sanjia.score(rb, ev).to_json()


def test_template_layout(tmp_path: Path, demo: sanjia.Rulebook) -> None:
    path = tmp_path / "t.xlsx"
    sanjia.write_template(demo, path, periods=PERIODS, hospital="H9", name="某医院")
    wb = openpyxl.load_workbook(path)
    parts = [r for r in demo.node_rows() if r["depth"] == 1]
    assert len(wb.sheetnames) == 1 + len(parts)
    readme = wb["说明 readme"]
    assert readme["B3"].value == "H9" and readme["B4"].value == "某医院"
    assert readme["B5"].value == "demo"
    p3 = wb.worksheets[3]
    headers = [c.value for c in p3[2]]
    assert headers[:7] == [
        "编号 id",
        "名称 title",
        "类型 kind",
        "责任部门 department",
        "标志 flags",
        "填写说明 notes",
        "评价 answer",
    ]
    assert "2024 分母 denominator" in headers and headers[-1] == "备注 comment"
    # Drop-down lists: articles A–E, elements met / partial / not_met / na.
    lists = [dv.formula1 for dv in p3.data_validations.dataValidation if dv.type == "list"]
    assert '"A,B,C,D,E"' in lists
    assert any(f.startswith('"met,partial,not_met,na') for f in lists)
    gates = [
        dv.formula1 for dv in wb.worksheets[1].data_validations.dataValidation if dv.type == "list"
    ]
    assert gates and all(f == '"通过,不通过,pass,fail"' for f in gates)
    # The core-article flag is spelled out; the responsible department is there.
    row = next(r for r in p3.iter_rows(min_row=3) if r[0].value == "3.1.1")
    assert "★" in str(row[4].value) and row[3].value == "医务部"
    assert p3.freeze_panes == "C3"


def test_template_prefilled_from_evidence(tmp_path: Path, demo: sanjia.Rulebook) -> None:
    ev = sanjia.Evidence.sample("demo", "grade-b")
    path = tmp_path / "t.xlsx"
    demo.write_template(path, evidence=ev)
    assert sanjia.Evidence.load(path).to_dict() == ev.to_dict()
    with pytest.raises(sanjia.EvidenceError, match=r"9\.9\.9"):
        demo.write_template(
            tmp_path / "x.xlsx",
            evidence=sanjia.Evidence.from_dict({"hospital": "H", "articles": {"9.9.9": "A"}}),
        )


def _bad_workbook(tmp_path: Path, demo: sanjia.Rulebook, edit: Any) -> Path:
    ev = sanjia.Evidence.sample("demo")
    path = tmp_path / "bad.xlsx"
    demo.write_template(path, evidence=ev)
    wb = openpyxl.load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def _cell(wb: Any, cid: str, header: str) -> Any:
    for ws in wb.worksheets[1:]:
        headers = {str(c.value): c.column for c in ws[2] if c.value}
        for row in ws.iter_rows(min_row=3):
            if row[0].value == cid:
                return ws.cell(row=row[0].row, column=headers[header])
    raise KeyError(cid)


def test_errors_name_sheet_row_and_column(tmp_path: Path, demo: sanjia.Rulebook) -> None:
    def edit(wb: Any) -> None:
        _cell(wb, "3.1.2", "评价 answer").value = "优良"
        _cell(wb, "2.1.4", "2024 值 value").value = "1.06%"

    path = _bad_workbook(tmp_path, demo, edit)
    with pytest.raises(sanjia.EvidenceError) as e:
        sanjia.Evidence.load(path)
    err = e.value
    assert err.file == str(path) and err.hospital == "H001"
    by_id = {p["criterion"]: p for p in err.problems}
    assert by_id["3.1.2"]["path"].startswith('sheet "P3 第三部分 现场检查", row ')
    assert by_id["3.1.2"]["path"].endswith(", column G (评价 answer)")
    assert "is not an article level" in by_id["3.1.2"]["message"]
    assert by_id["2.1.4"]["path"].endswith("(2024 值 value)")
    assert "without % or ‰" in by_id["2.1.4"]["message"]
    assert "row " in str(err) and "column G" in str(err)


def test_rulebook_errors_in_a_workbook_name_the_cell(tmp_path: Path, demo: sanjia.Rulebook) -> None:
    def edit(wb: Any) -> None:
        _cell(wb, "3.3.2", "2024 分子 numerator").value = 5000  # more than the denominator
        _cell(wb, "3.1.1", "编号 id").value = "3.1.99"

    path = _bad_workbook(tmp_path, demo, edit)
    ev = sanjia.Evidence.load(path)  # reads: the rulebook finds the problems
    with pytest.raises(sanjia.EvidenceError) as e:
        sanjia.score(demo, ev)
    by_id = {p["criterion"]: p for p in e.value.problems}
    assert "(2024 分子 numerator)" in by_id["3.3.2"]["path"]
    assert "greater than denominator" in by_id["3.3.2"]["message"]
    assert "(评价 answer)" in by_id["3.1.99"]["path"]
    assert e.value.file == str(path)
    # In a batch, the hospital's error names the cells too.
    result = sanjia.score_batch(demo, [path, sanjia.Evidence.sample("demo")])
    assert result.n_scored == 1
    assert "(2024 分子 numerator)" in result.errors[0]["error"]


def test_report_workbook(tmp_path: Path, demo: sanjia.Rulebook) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo", "grade-b"))
    path = tmp_path / "review.xlsx"
    report.write(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "汇总 summary",
        "评级判定 decision",
        "扣分 deductions",
        "科室 departments",
        "缺失 missing",
        "明细 nodes",
    ]
    summary = [c for row in wb["汇总 summary"].iter_rows(values_only=True) for c in row if c]
    assert "乙等" in summary and 787.07 in summary
    ded = wb["扣分 deductions"]
    lost = [r[7] for r in ded.iter_rows(min_row=2, values_only=True)]
    assert lost == sorted(lost, reverse=True) and len(lost) == len(report.deductions)
    assert [r[0] for r in ded.iter_rows(min_row=2, values_only=True)] == [
        d["id"] for d in report.deductions
    ]


def test_batch_workbook(
    tmp_path: Path, demo: sanjia.Rulebook, samples: list[sanjia.Evidence]
) -> None:
    bad = sanjia.Evidence.from_dict({"hospital": "HX", "articles": {"9.9.9": "A"}})
    result = sanjia.score_batch(demo, [*samples, bad])
    path = tmp_path / "batch.xlsx"
    result.write(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "汇总 summary",
        "扣分 deductions",
        "科室 departments",
        "缺失 missing",
        "错误 errors",
    ]
    rows = list(wb["汇总 summary"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [e.hospital for e in samples] + ["HX"]
    assert rows[-1][1] == "error"
    errors = list(wb["错误 errors"].iter_rows(min_row=2, values_only=True))
    assert errors[0][1] == "HX" and "unknown criterion" in errors[0][6]


def test_not_a_workbook(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    p.write_text("hello")
    with pytest.raises(sanjia.EvidenceError, match="cannot read as a workbook"):
        sanjia.Evidence.load(p)
