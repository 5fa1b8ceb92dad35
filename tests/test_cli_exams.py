"""`sanjia exams`: the 三基 participation / pass-rate check from roster and sittings files, run
as users run it (the installed console script) on small hand-made files."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SANJIA = shutil.which("sanjia")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [SANJIA] if SANJIA else [sys.executable, "-m", "sanjia.cli"]
    return subprocess.run(
        [*cmd, *map(str, args)], capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str = "utf-8"
) -> Path:
    lines = [",".join(header)]
    lines += [",".join("" if v is None else str(v) for v in r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def roster_csv(
    tmp_path: Path,
    n: int,
    dept: str = "内科",
    cat: str = "医师",
    reasons: dict[int, str] | None = None,
    name: str = "roster.csv",
    encoding: str = "utf-8",
) -> Path:
    """n staff 001..n, with a name column (ignored) and exemption reasons by index."""
    reasons = reasons or {}
    rows = [(f"{i:03d}", f"员工{i}", dept, cat, reasons.get(i)) for i in range(n)]
    header = ("staff_id", "姓名", "department", "category", "exempt_reason")
    return write_csv(tmp_path / name, header, rows, encoding)


def sittings_csv(
    tmp_path: Path,
    rows: Iterable[tuple[Any, ...]],
    name: str = "sittings.csv",
    encoding: str = "utf-8",
) -> Path:
    return write_csv(tmp_path / name, ("staff_id", "exam_id", "attempt", "score"), rows, encoding)


def summary_json(*args: str | Path) -> list[dict[str, Any]]:
    r = run("exams", *args, "--json")
    assert r.returncode == 0, r.stderr
    rows: list[dict[str, Any]] = json.loads(r.stdout)
    return rows


# ----------------------------------------------------------------- the figures, by hand


def test_95_of_100_meets_95_percent_94_of_99_does_not(tmp_path: Path) -> None:
    roster = roster_csv(tmp_path, 100)
    sittings = sittings_csv(
        tmp_path, ((f"{i:03d}", "E1", 1, 75 if i < 95 else 52) for i in range(100))
    )
    (row,) = summary_json(roster, sittings)
    assert (row["exam_id"], row["expected"], row["sat"], row["absent"]) == ("E1", 100, 100, 0)
    assert (row["first_passed"], row["first_pass_rate"]) == (95, 0.95)
    assert row["pass_met"] is True and row["participation_met"] is True
    r = run("exams", roster, sittings)
    assert r.returncode == 0, r.stderr
    assert "95.00%" in r.stdout and "100.00%" in r.stdout
    assert "合格率 pass target met in every group" in r.stdout
    assert "5 failed" in r.stdout and "不合格 failed" in r.stdout
    assert run("exams", roster, sittings, "--strict").returncode == 0

    roster = roster_csv(tmp_path, 99)
    sittings = sittings_csv(
        tmp_path, ((f"{i:03d}", "E1", 1, 75 if i < 94 else 52) for i in range(99))
    )
    (row,) = summary_json(roster, sittings)
    assert (row["sat"], row["first_passed"], row["pass_met"]) == (99, 94, False)
    r = run("exams", roster, sittings)
    assert r.returncode == 0  # a target not met is a finding, not an error...
    # 94/99 = 94.9494...%: shown truncated, never rounded up to the 95% target.
    assert "94.94%" in r.stdout and "95.00%" not in r.stdout
    assert "合格率 pass target NOT met in 1 of 1 group(s): E1" in r.stdout
    # ...unless asked: exit 5, under either name.
    assert run("exams", roster, sittings, "--strict").returncode == 5
    assert run("exams", roster, sittings, "--fail-on-target", "--json").returncode == 5


def test_one_unexempted_absentee_fails_full_participation(tmp_path: Path) -> None:
    # 100 nurses in 急诊科; 099 has no sitting and no exemption.
    roster = roster_csv(tmp_path, 100, dept="急诊科", cat="护士")
    sittings = sittings_csv(tmp_path, ((f"{i:03d}", "E1", 1, 90) for i in range(99)))
    (row,) = summary_json(roster, sittings)
    assert (row["expected"], row["sat"], row["absent"], row["exempt"]) == (100, 99, 1, 0)
    assert row["participation_met"] is False and row["pass_met"] is True
    r = run("exams", roster, sittings, "--fail-on-target")
    assert r.returncode == 5
    assert "99.00%" in r.stdout and "参考率 participation target NOT met" in r.stdout
    people = [ln.split() for ln in r.stdout.splitlines() if "缺考 absent" in ln]
    assert people == [["099", "E1", "急诊科", "护士", "缺考", "absent"]]

    # Maternity leave (产假) is an accepted exemption: out of 应考, participation 99/99.
    roster = roster_csv(tmp_path, 100, dept="急诊科", cat="护士", reasons={99: "产假"})
    (row,) = summary_json(roster, sittings)
    assert (row["expected"], row["exempt"], row["participation_met"]) == (99, 1, True)
    assert run("exams", roster, sittings, "--strict").returncode == 0
    # Personal leave (事假) is not: still expected, absent, with the reason shown.
    roster = roster_csv(tmp_path, 100, dept="急诊科", cat="护士", reasons={99: "事假"})
    r = run("exams", roster, sittings, "--strict")
    assert r.returncode == 5 and "reason not accepted: 事假" in r.stdout
    # An empty score is absent too.
    sittings = sittings_csv(
        tmp_path, ((f"{i:03d}", "E1", 1, 90 if i < 99 else None) for i in range(100))
    )
    (row,) = summary_json(roster_csv(tmp_path, 100), sittings)
    assert (row["sat"], row["absent"]) == (99, 1)


def test_make_ups_first_and_final_pass_rates(tmp_path: Path) -> None:
    # 20 sat; 2 failed the first attempt, one of them passed the make-up (补考).
    roster = roster_csv(tmp_path, 20)
    rows: list[tuple[str, str, int, float | None]] = [
        (f"{i:03d}", "E1", 1, 40 if i < 2 else 80) for i in range(20)
    ]
    rows.append(("000", "E1", 2, 85))
    sittings = sittings_csv(tmp_path, rows)
    (row,) = summary_json(roster, sittings)
    assert (row["first_passed"], row["final_passed"], row["makeups"]) == (18, 19, 1)
    assert (row["first_pass_rate"], row["final_pass_rate"]) == (0.9, 0.95)
    assert row["pass_met"] is False  # judged on the first attempt by default: 90% < 95%
    (row,) = summary_json(roster, sittings, "--judge", "final")
    assert row["pass_met"] is True  # 19/20 = 95%
    r = run("exams", roster, sittings)
    assert "passed a make-up (补考)" in r.stdout and "90.00%" in r.stdout
    # A pass mark of 85 (our hospital's): 80 fails, 85 passes.
    (row,) = summary_json(roster, sittings, "--pass-mark", "85", "--judge", "final")
    assert (row["first_passed"], row["final_passed"]) == (0, 1)
    r = run("exams", roster, sittings, "--pass-mark", "85")
    assert "pass mark 85 of 100" in r.stdout and "changed here: pass_mark 85" in r.stdout


def test_a_policy_file_and_a_rulebook(tmp_path: Path) -> None:
    roster = roster_csv(tmp_path, 10)
    sittings = sittings_csv(tmp_path, ((f"{i:03d}", "E1", 1, 70 + i) for i in range(10)))
    policy = tmp_path / "our-policy.toml"
    policy.write_text('pass_mark = 75\npass_target = ">= 50%"\n', encoding="utf-8")
    (row,) = summary_json(roster, sittings, "--policy", policy)
    assert (row["first_passed"], row["pass_met"]) == (5, True)  # 75..79 pass: 5/10 >= 50%
    r = run("exams", roster, sittings, "--policy", policy)
    assert f"Policy: policy {policy}" in r.stdout and "合格率 >= 50%" in r.stdout
    as_json = tmp_path / "our-policy.json"
    as_json.write_text(json.dumps({"pass_mark": 75, "pass_target": ">= 60%"}), encoding="utf-8")
    (row,) = summary_json(roster, sittings, "--policy", as_json)
    assert row["pass_met"] is False
    # The demo rulebook's [exams] section (or the built-in values when it has none).
    r = run("exams", roster, sittings, "-r", "demo")
    assert r.returncode == 0 and "rulebook demo" in r.stdout
    assert run("exams", roster, sittings, "-r", "demo", "--policy", policy).returncode == 2


# -------------------------------------------------------------------------- grouping


def _two_departments(tmp_path: Path) -> tuple[Path, Path]:
    """内科: 10 医师 (000-009) and 10 护士 (010-019); 外科: 10 医师 (020-029). Exams E1, E2.
    E1: 005 absent, 015 failed. E2: everyone sat and passed but 025 failed."""
    rows = [(f"{i:03d}", "内科", "医师") for i in range(10)]
    rows += [(f"{i:03d}", "内科", "护士") for i in range(10, 20)]
    rows += [(f"{i:03d}", "外科", "医师") for i in range(20, 30)]
    roster = write_csv(tmp_path / "roster.csv", ("staff_id", "department", "category"), rows)
    sits: list[tuple[str, str, int, float | None]] = []
    for i in range(30):
        if i != 5:
            sits.append((f"{i:03d}", "E1", 1, 50 if i == 15 else 90))
        sits.append((f"{i:03d}", "E2", 1, 50 if i == 25 else 90))
    return roster, sittings_csv(tmp_path, sits)


def test_by_exam_and_department(tmp_path: Path) -> None:
    roster, sittings = _two_departments(tmp_path)
    rows = summary_json(roster, sittings, "--by", "exam,department")
    got = {(r["exam_id"], r["department"]): r for r in rows}
    assert set(got) == {("E1", "内科"), ("E1", "外科"), ("E2", "内科"), ("E2", "外科")}
    e1 = got[("E1", "内科")]
    assert (e1["expected"], e1["sat"], e1["absent"], e1["first_passed"]) == (20, 19, 1, 18)
    assert (e1["participation_met"], e1["pass_met"]) == (False, False)  # 19/20, 18/19
    e2 = got[("E2", "外科")]
    assert (e2["sat"], e2["first_passed"], e2["pass_met"]) == (10, 9, False)  # 9/10 = 90%
    assert got[("E1", "外科")]["pass_met"] is True and got[("E2", "内科")]["pass_met"] is True
    # The same grouping given as repeated options, with the long column names.
    again = summary_json(roster, sittings, "--by", "exam_id", "--by", "department")
    assert again == rows
    # Other groupings regroup the same people.
    by_cat = {r["category"]: r for r in summary_json(roster, sittings, "--by", "category")}
    assert (by_cat["医师"]["expected"], by_cat["护士"]["expected"]) == (40, 20)
    (total,) = summary_json(roster, sittings, "--by", "total")
    assert (total["expected"], total["sat"], total["first_passed"]) == (60, 59, 57)
    assert "exam_id" not in total

    r = run("exams", roster, sittings, "--by", "exam,department")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert any(ln.startswith("合计 total") and " 60 " in ln for ln in lines)
    assert "参考率 participation target NOT met in 1 of 4 group(s): E1 / 内科" in r.stdout
    assert "合格率 pass target NOT met in 2 of 4 group(s): E1 / 内科; E2 / 外科" in r.stdout
    r = run("exams", roster, sittings, "--by", "exam,ward")
    assert r.returncode == 2 and "cannot group by 'ward'" in r.stderr


def test_several_hospitals_are_grouped_by_hospital(tmp_path: Path) -> None:
    # Staff ids are unique across the province (an id on two hospitals' rosters conflicts).
    rows = [(f"H{h}", f"H{h}-{i:03d}", "内科", "医师") for h in (1, 2) for i in range(5)]
    roster = write_csv(
        tmp_path / "roster.csv", ("hospital_id", "staff_id", "department", "category"), rows
    )
    sits = [
        (f"H{h}", f"H{h}-{i:03d}", "E1", 90) for h in (1, 2) for i in range(5) if (h, i) != (2, 4)
    ]
    sittings = write_csv(
        tmp_path / "sittings.csv", ("hospital_id", "staff_id", "exam_id", "score"), sits
    )
    rows_out = summary_json(roster, sittings)
    assert [(r["hospital_id"], r["exam_id"], r["sat"]) for r in rows_out] == [
        ("H1", "E1", 5),
        ("H2", "E1", 4),
    ]
    r = run("exams", roster, sittings)
    assert "医院" in r.stdout and "H2 / E1" in r.stdout


def test_an_exams_file_sets_the_scope_and_pass_marks(tmp_path: Path) -> None:
    roster, sittings = _two_departments(tmp_path)
    exams_file = write_csv(
        tmp_path / "exams.csv",
        ("exam_id", "kind", "date", "pass_mark", "categories"),
        [("E1", "三基理论", "2024-05-10", 60, None), ("E2", "三基操作", "2024-06-10", 95, "医师")],
    )
    rows = summary_json(roster, sittings, "--exams", exams_file, "--by", "kind", "--lenient")
    got = {r["exam_kind"]: r for r in rows}
    # E2 is for 医师 only (20 people) and its pass mark is 95: everyone (score 90) fails.
    assert (got["三基操作"]["expected"], got["三基操作"]["first_passed"]) == (20, 0)
    # Nurses' E2 sittings are outside the scope: an error naming the lines, or left out.
    r = run("exams", roster, sittings, "--exams", exams_file)
    assert r.returncode == 4
    assert "10 bad row(s)" in r.stderr and f"sittings {sittings} line 22:" in r.stderr
    assert "--lenient" in r.stderr and "Traceback" not in r.stderr
    r = run("exams", roster, sittings, "--exams", exams_file, "--lenient")
    assert r.returncode == 0 and "warning: 10 bad row(s) left out" in r.stderr
    assert "(49 rows, 10 left out)" in r.stdout
    assert "the exams file's pass_mark overrides it per exam" in r.stdout


# ---------------------------------------------------------------------- files out


def test_people_file_and_the_text_list_truncated(tmp_path: Path) -> None:
    # 30 staff: 25 absent (no sitting), 5 sat and passed.
    roster = roster_csv(tmp_path, 30)
    sittings = sittings_csv(tmp_path, ((f"{i:03d}", "E1", 1, 90) for i in range(5)))
    out = tmp_path / "gaps.csv"
    r = run("exams", roster, sittings, "--people", out)
    assert r.returncode == 0, r.stderr
    assert f"wrote {out}" in r.stderr
    assert "People behind the gaps (人员明细): 25 — 25 absent" in r.stdout
    assert sum("缺考 absent" in ln for ln in r.stdout.splitlines()) == 20
    assert f"... and 5 more: all of them are in {out}" in r.stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # for Excel
    lines = raw.decode("utf-8-sig").splitlines()
    assert len(lines) == 26 and lines[0].startswith('"staff_id","exam_id"')
    assert lines[1].startswith('"005","E1"')  # ids kept as written, sorted
    r = run("exams", roster, sittings)
    assert "... and 5 more: write them all with --people FILE" in r.stdout

    for ext in ("parquet", "json", "txt"):
        out = tmp_path / f"gaps.{ext}"
        assert run("exams", roster, sittings, "--people", out, "--json").returncode == 0
    people = pq.read_table(tmp_path / "gaps.parquet")
    assert people.num_rows == 25 and set(people.column("problem").to_pylist()) == {"absent"}
    as_json = json.loads((tmp_path / "gaps.json").read_text("utf-8"))
    assert len(as_json) == 25 and as_json[0]["staff_id"] == "005"
    assert (tmp_path / "gaps.txt").read_text("utf-8").count("absent") == 25
    r = run("exams", roster, sittings, "--people", tmp_path / "gaps.html")
    assert r.returncode == 2 and "--people" in r.stderr


def test_summary_formats_and_out(tmp_path: Path) -> None:
    roster, sittings = _two_departments(tmp_path)
    r = run("exams", roster, sittings, "-f", "csv")
    assert r.returncode == 0 and r.stdout.startswith('"exam_id","expected","sat"')
    for ext in ("csv", "parquet", "json", "txt"):
        out = tmp_path / f"summary.{ext}"
        r = run("exams", roster, sittings, "-o", out, "--by", "exam,department")
        assert r.returncode == 0, r.stderr
        assert f"wrote {out}" in r.stderr and r.stdout == ""
    assert pq.read_table(tmp_path / "summary.parquet").num_rows == 4
    assert len(json.loads((tmp_path / "summary.json").read_text("utf-8"))) == 4
    assert (tmp_path / "summary.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "People behind the gaps" in (tmp_path / "summary.txt").read_text("utf-8")
    r = run("exams", roster, sittings, "-f", "parquet")
    assert r.returncode == 2 and "--out" in r.stderr
    r = run("exams", roster, sittings, "-o", tmp_path / "summary.html")
    assert r.returncode == 2
    r = run("exams", roster, sittings, "-o", tmp_path / "nowhere" / "s.csv")
    assert r.returncode == 1 and "cannot write" in r.stderr


def test_xlsx_workbook(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    roster, sittings = _two_departments(tmp_path)
    out = tmp_path / "三基.xlsx"
    r = run("exams", roster, sittings, "--by", "exam,department", "-o", out)
    assert r.returncode == 0, r.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["summary 汇总", "people 人员", "policy 标准"]
    summary = list(wb["summary 汇总"].values)
    assert summary[0][:4] == ("exam_id", "department", "expected", "sat")
    assert len(summary) == 5
    # Rates are numbers shown as percentages; the header stays in view.
    ws = wb["summary 汇总"]
    rate = summary[0].index("first_pass_rate") + 1
    assert isinstance(ws.cell(row=2, column=rate).value, float)
    assert ws.cell(row=2, column=rate).number_format == "0.00%"
    assert ws.freeze_panes == "A2"
    people = list(wb["people 人员"].values)
    assert {p[0] for p in people[1:]} == {"005", "015", "025"}
    policy = dict(list(wb["policy 标准"].values)[1:])
    assert policy["pass_mark"] == "60" and policy["pass_target"] == ">= 95%"


# --------------------------------------------------------------------- files in


def write_xlsx(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A workbook as a quality office keeps one: a title line and a blank row above the
    header, ids typed as numbers or text, a blank row in the middle."""
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["2024 年三基考核"])
    ws.append([])
    ws.append(list(header))
    for k, r in enumerate(rows):
        if k == 3:
            ws.append([])
        ws.append(list(r))
    wb.save(path)
    return path


def test_workbook_inputs_match_csv_and_name_the_cell(tmp_path: Path) -> None:
    """Rosters and sittings kept in Excel are read from the first sheet: the same figures as
    the CSV files, at the 95% boundary; a bad cell is named by sheet, column and row."""
    import datetime

    rows = [(f"{i:03d}", "E1", 1, 75 if i < 95 else 52) for i in range(100)]
    roster = roster_csv(tmp_path, 100)
    sittings = sittings_csv(tmp_path, rows)
    header = ("staff_id", "姓名", "department", "category", "exempt_reason", "employed_from")
    roster_x = write_xlsx(
        tmp_path / "roster.xlsx",
        header,
        # Ids typed as text (000 keeps its zeros), a date cell for the employment date.
        [
            (f"{i:03d}", f"员工{i}", "内科", "医师", None, datetime.date(2020, 1, 1))
            for i in range(100)
        ],
    )
    sittings_x = write_xlsx(
        tmp_path / "sittings.xlsx", ("staff_id", "exam_id", "attempt", "score"), rows
    )
    want = summary_json(roster, sittings)
    assert summary_json(roster_x, sittings_x) == want
    assert summary_json(roster_x, sittings) == want
    (row,) = want
    assert (row["first_passed"], row["pass_met"]) == (95, True)

    # A word in the score column is named by its cell.
    bad = [*rows[:5], ("005", "E1", 1, "缺考"), *rows[6:]]
    sheet_header = ("staff_id", "exam_id", "attempt", "score")
    err = run("exams", roster_x, write_xlsx(tmp_path / "bad.xlsx", sheet_header, bad))
    assert err.returncode == 4
    # Title, blank, header on row 3, blank row after the 3rd data row: the 6th is row 10.
    assert "sittings" in err.stderr and 'sheet "名单", cell D10' in err.stderr, err.stderr
    assert '"缺考" is not a number' in err.stderr

    # A row problem found by the exam check names the sheet's row.
    dup = [*rows, rows[0]]
    r = run("exams", roster_x, write_xlsx(tmp_path / "dup.xlsx", sheet_header, dup))
    # Rows 4-6, blank 7, rows 8-...: table row 100 is on row 105; the kept one on row 4.
    assert r.returncode == 4, r.stderr
    assert 'dup.xlsx sheet "名单" row 105: duplicate of sheet "名单" row 4' in r.stderr
    # The same in a CSV file: lines, counted as a spreadsheet shows them.
    r = run("exams", roster, sittings_csv(tmp_path, dup, name="dup.csv"))
    assert r.returncode == 4 and "dup.csv line 102: duplicate of line 2 " in r.stderr


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    roster = roster_csv(tmp_path, 4, dept="心血管内科", cat="护士", encoding=encoding)
    sittings = sittings_csv(
        tmp_path,
        [("000", "三基理论2024", 1, 90), ("001", "三基理论2024", 1, 55)],
        encoding=encoding,
    )
    args: list[str | Path] = [roster, sittings, "--by", "exam,department"]
    if encoding == "gb18030":
        r = run("exams", *args)
        assert r.returncode == 4 and "--encoding gb18030" in r.stderr and "not UTF-8" in r.stderr
        args += ["--encoding", "gb18030"]
    (row,) = summary_json(*args)
    assert (row["exam_id"], row["department"]) == ("三基理论2024", "心血管内科")
    assert (row["expected"], row["sat"], row["first_passed"]) == (4, 2, 1)
    r = run("exams", *args)
    assert "心血管内科" in r.stdout and "002" in r.stdout  # ids kept as written
    r = run("exams", *args, "--encoding", "no-such-codec")
    assert r.returncode == 2 and "unknown encoding" in r.stderr


def test_parquet_inputs_match_csv(tmp_path: Path) -> None:
    roster, sittings = _two_departments(tmp_path)
    want = summary_json(roster, sittings, "--by", "department,category")
    import pyarrow.csv as pacsv

    types = {"staff_id": pa.string()}
    opts = pacsv.ConvertOptions(column_types=types)
    pq.write_table(pacsv.read_csv(roster, convert_options=opts), tmp_path / "roster.parquet")
    pq.write_table(pacsv.read_csv(sittings, convert_options=opts), tmp_path / "sittings.parquet")
    got = summary_json(
        tmp_path / "roster.parquet", tmp_path / "sittings.parquet", "--by", "department,category"
    )
    assert got == want
    # Integer staff ids (a file written by a script) are read as the text they stand for.
    pq.write_table(
        pa.table({"staff_id": [1, 2], "department": ["内科"] * 2, "category": ["医师"] * 2}),
        tmp_path / "r.parquet",
    )
    pq.write_table(
        pa.table({"staff_id": [1, 2], "exam_id": ["E1", "E1"], "score": [70.0, 50.0]}),
        tmp_path / "s.parquet",
    )
    (row,) = summary_json(tmp_path / "r.parquet", tmp_path / "s.parquet")
    assert (row["sat"], row["first_passed"]) == (2, 1)


def test_component_scores(tmp_path: Path) -> None:
    # No score column: theory and skill are components; both must reach the pass mark.
    roster = roster_csv(tmp_path, 3)
    sittings = write_csv(
        tmp_path / "sittings.csv",
        ("staff_id", "exam_id", "theory", "skill", "监考"),
        [("000", "E1", 80, 90, "王"), ("001", "E1", 80, 50, "王"), ("002", "E1", None, None, "王")],
    )
    (row,) = summary_json(roster, sittings)
    assert (row["sat"], row["absent"], row["first_passed"]) == (2, 1, 1)
    r = run("exams", roster, sittings)
    assert "no score column: components theory, skill" in r.stdout
    assert "not numeric, not used: 监考" in r.stdout
    (row,) = summary_json(roster, sittings, "--components", "theory")
    assert row["first_passed"] == 2
    r = run("exams", roster, sittings, "--components", "theory,practice")
    assert r.returncode == 2 and "practice" in r.stderr


# --------------------------------------------------------------------- bad input


def test_bad_input_exit_codes_and_messages(tmp_path: Path) -> None:
    roster = roster_csv(tmp_path, 3)
    sittings = sittings_csv(tmp_path, [("000", "E1", 1, 90)])

    def fails(code: int, *args: str | Path) -> str:
        r = run("exams", *args)
        assert r.returncode == code, (r.returncode, r.stderr)
        assert "Traceback" not in r.stderr
        return r.stderr

    err = fails(4, tmp_path / "missing.csv", sittings)
    assert f"roster {tmp_path / 'missing.csv'}: cannot read: no such file" in err
    no_category = write_csv(tmp_path / "nc.csv", ("staff_id", "department"), [("000", "内科")])
    err = fails(4, no_category, sittings)
    assert f"roster {no_category}: required column `category` is missing" in err
    assert "its columns: staff_id, department" in err
    # Bad rows: the file and the line a spreadsheet shows (the header is line 1).
    bad = sittings_csv(
        tmp_path,
        [("000", "E1", 1, 90), ("999", "E1", 1, 80), ("001", "E1", 1, 150), ("002", "E1", 0, 70)],
        name="bad.csv",
    )
    err = fails(4, roster, bad)
    assert "3 bad row(s)" in err and "--lenient" in err
    assert f"sittings {bad} line 3:" in err and '"999" is not on the roster' in err
    assert f"sittings {bad} line 4:" in err and f"sittings {bad} line 5:" in err
    r = run("exams", roster, bad, "--lenient", "--json")
    assert r.returncode == 0 and f"sittings {bad} line 3:" in r.stderr
    (row,) = json.loads(r.stdout)
    assert (row["expected"], row["sat"]) == (3, 1)
    # Text in the score column.
    text_score = sittings_csv(tmp_path, [("000", "E1", 1, "缺考")], name="text.csv")
    err = fails(4, roster, text_score)
    assert "column `score`" in err and "'缺考'" in err and "leave the cell empty" in err
    err = fails(4, tmp_path / "roster.xlsx", sittings)  # not there: no such file
    (tmp_path / "roster.xlsx").write_bytes(b"PK")
    err = fails(4, tmp_path / "roster.xlsx", sittings)
    assert "roster" in err and "cannot read as a workbook" in err
    # The policy: exit 3; options: exit 2.
    bad_policy = tmp_path / "bad.toml"
    bad_policy.write_text('pass_mark = "sixty"\n', encoding="utf-8")
    err = fails(3, roster, sittings, "--policy", bad_policy)
    assert f"policy {bad_policy}" in err and "pass_mark" in err
    assert "cannot read" in fails(3, roster, sittings, "--policy", tmp_path / "none.toml")
    assert "pass_target" in fails(3, roster, sittings, "--policy", _policy(tmp_path, "95%"))
    err = fails(2, roster, sittings, "--pass-target", "95")
    assert "--pass-target 95" in err and ">= 95%" in err
    fails(2, roster, sittings, "--pass-mark", "sixty")
    fails(2, roster, sittings, "--frobnicate")
    fails(2, roster)  # no sittings
    fails(2, roster, sittings, "--json", "--format", "csv")


def _policy(tmp_path: Path, target: str) -> Path:
    p = tmp_path / "target.toml"
    p.write_text(f'pass_target = "{target}"\n', encoding="utf-8")
    return p


def test_help_a_quality_manager_can_follow() -> None:
    r = run("exams", "--help")
    assert r.returncode == 0
    for word in (
        "参考率",
        "合格率",
        "staff_id",
        "--exams",
        "--policy",
        "--by",
        "--people",
        "--lenient",
        "--strict",
        "--fail-on-target",
        "gb18030",
        "exit codes",
        "a target",
    ):
        assert word in r.stdout, word
    r = run("--help")
    assert "exams" in r.stdout and "sanjia exams roster.csv sittings.csv" in r.stdout
