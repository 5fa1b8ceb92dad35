"""The Python API: rulebooks, evidence, scoring, reports and batches."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
import sanjia
from conftest import evidence_rows

ROOT = Path(__file__).resolve().parent.parent


def test_builtins_and_default(demo: sanjia.Rulebook) -> None:
    names = sanjia.Rulebook.builtin_names()
    assert names[0] == "demo"
    assert sanjia.Rulebook.builtin().id == "demo"
    assert demo.grades == ["甲等", "乙等", "合格", "不合格"]
    assert "demo" in repr(demo)
    with pytest.raises(sanjia.RulebookError, match="no built-in rulebook named"):
        sanjia.Rulebook.builtin("nope")


def test_sample_hospital_reaches_grade_a(demo: sanjia.Rulebook) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo"))
    # Part 2: 78 of 80 points (weight 600) -> 585; Part 3: 56 of 66 (weight 400) -> 339.3939...
    # total 924.3939... rounded half-up to 2 places.
    assert report.grade == "甲等"
    assert report.total == pytest.approx(924.39)
    assert report.max_total == 1000
    assert report.points("P2") == 78
    assert report.points("P3") == 56
    assert all(g["result"] == "pass" for g in report.gates)
    grade_a = report.decision["grades"][0]
    assert grade_a["grade"] == "甲等" and grade_a["held"]
    share = next(c for c in grade_a["conditions"] if c["condition"].startswith("share(core"))
    assert "5 of 5 core articles" in share["detail"]


@pytest.mark.parametrize(
    ("sample", "grade", "earned", "status"),
    [
        ("sample", "甲等", "甲等", "甲等"),
        ("grade-b", "乙等", "乙等", "乙等"),
        ("downgraded", "乙等", "甲等", "lowered 1 from 甲等"),
        ("deferred", None, "甲等", "not graded: 延期一年评审"),
    ],
)
def test_each_sample(
    demo: sanjia.Rulebook, sample: str, grade: str | None, earned: str, status: str
) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo", sample))
    assert report.grade == grade
    assert report.earned_grade == earned
    assert status in report.status


def test_deductions_explain_the_gap(demo: sanjia.Rulebook) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo"))
    ded = report.deductions
    losses = [d["lost_in_total"] for d in ded]
    assert losses == sorted(losses, reverse=True)
    # The rulebook is linear, so the losses add up to what the total misses (before rounding).
    assert sum(losses) == pytest.approx(report.max_total - report.total, abs=0.01)
    first = ded[0]
    assert first["id"] == "2.2.2" and first["lost_in_total"] == pytest.approx(15)
    assert "stable" in first["reason"] and "8 of 10 points" in first["reason"]
    text = report.explain()
    assert "Deductions" in text and "2.2.2" in text


def test_report_tables(demo: sanjia.Rulebook) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo"))
    t = report.to_arrow()
    assert isinstance(t, pa.Table)
    assert t.num_rows == len(demo.node_rows())
    assert t.column_names[:3] == ["hospital_id", "id", "parent"]
    df = report.to_pandas()
    row = df[df["id"] == "3.1.8"].iloc[0]
    assert row["level"] == "E" and not row["applicable"]
    pl = report.to_polars()
    assert pl.shape[0] == t.num_rows
    assert "甲等" in report._repr_html_()
    d = json.loads(report.to_json())
    assert d["grade"] == "甲等" and d["total"] == "924.39"
    assert d["rulebook"]["id"] == "demo"


def test_missing_evidence_is_listed(demo: sanjia.Rulebook) -> None:
    d = sanjia.Evidence.sample("demo").to_dict()
    del d["indicators"]["2.1.10"]
    d["articles"].pop("3.2.4")
    report = sanjia.score(demo, d)
    missing = {m["id"]: m for m in report.missing}
    assert missing["2.1.10"]["counted_as"] == "zero"
    assert missing["3.2.4"]["counted_as"] == "zero"
    assert report.total is not None and report.total < 924.39


def test_missing_gate_answer_is_an_error(demo: sanjia.Rulebook) -> None:
    d = sanjia.Evidence.sample("demo").to_dict()
    del d["gates"]["1.1.1"]
    with pytest.raises(sanjia.EvidenceError) as e:
        sanjia.score(demo, d)
    assert e.value.hospital == "H001"
    assert e.value.problems[0]["criterion"] == "1.1.1"


def test_evidence_errors_name_the_place(demo: sanjia.Rulebook) -> None:
    with pytest.raises(sanjia.EvidenceError) as e:
        sanjia.score(
            demo,
            {
                "hospital": "H9",
                "articles": {"3.1.1": "A", "nope": "B"},
                "indicators": {"3.1.2": 5, "2.2.7": {"2024": {"numerator": 5, "denominator": 4}}},
            },
        )
    msg = str(e.value)
    assert "H9" in msg
    crits = {p["criterion"] for p in e.value.problems}
    assert {"nope", "3.1.2", "2.2.7"} <= crits
    assert "greater than denominator" in msg
    assert isinstance(e.value, ValueError)


def test_rulebook_errors_name_file_path_and_id(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[rulebook]\nid = "x"\ntitle = "x"\n'
        '[[node]]\nid = "P1"\ntitle = "p"\n'
        '[[node]]\nid = "a"\ntitle = "a"\nparent = "P1"\nkind = "article"\nwieght = 3\n'
    )
    with pytest.raises(sanjia.RulebookError) as e:
        sanjia.Rulebook.load(bad)
    assert str(bad) in str(e.value)
    assert e.value.problems[0]["path"].startswith("node[1]")
    assert e.value.problems[0]["id"] == "a"
    assert "wieght" in str(e.value)


def test_dict_and_path_inputs_agree(demo: sanjia.Rulebook, tmp_path: Path) -> None:
    ev = sanjia.Evidence.sample("demo", "grade-b")
    again = sanjia.Evidence.from_dict(ev.to_dict())
    p = tmp_path / "h.json"
    p.write_text(json.dumps(ev.to_dict(), ensure_ascii=False))
    a = sanjia.score(demo, ev).to_json()
    assert sanjia.score(demo, again).to_json() == a
    assert sanjia.score("demo", str(p)).to_json() == a


def test_batch_equals_one_by_one(demo: sanjia.Rulebook, samples: list[sanjia.Evidence]) -> None:
    one_by_one = [sanjia.score(demo, e).to_json() for e in samples]
    for threads in (1, 2):
        result = sanjia.score_batch(demo, samples, n_threads=threads)
        assert len(result) == len(samples)
        assert [result[i].to_json() for i in range(len(result))] == one_by_one


def test_batch_keeps_bad_hospitals(demo: sanjia.Rulebook, samples: list[sanjia.Evidence]) -> None:
    bad = sanjia.Evidence.from_dict({"hospital": "BAD", "articles": {"3.1.1": "A"}})
    result = sanjia.score_batch(demo, [samples[0], bad, samples[1]])
    assert len(result) == 3 and result.n_scored == 2
    summary = result.summary().to_pylist()
    assert [r["hospital_id"] for r in summary] == ["H001", "BAD", "H002"]
    assert summary[1]["status"] == "error" and "1.1.1" in summary[1]["error"]
    assert result.errors[0]["hospital"] == "BAD"
    with pytest.raises(sanjia.EvidenceError):
        result[1]
    assert result.reports()[1] is None


def _table(samples: list[sanjia.Evidence]) -> pa.Table:
    rows = [r for e in samples for r in evidence_rows(e)]
    return pa.Table.from_pylist(rows)


def test_table_batch_matches_evidence(
    demo: sanjia.Rulebook, samples: list[sanjia.Evidence]
) -> None:
    expected = sanjia.score_batch(demo, samples).summary()
    table = _table(samples)
    assert sanjia.score_batch(demo, table).summary().equals(expected)
    # pandas and polars (Utf8View strings) give the same result.
    assert sanjia.score_batch(demo, table.to_pandas()).summary().equals(expected)
    import polars as pl

    pdf = pl.from_arrow(table)
    assert sanjia.score_batch(demo, pdf).summary().equals(expected)
    with pytest.raises(TypeError, match="collect"):
        sanjia.score_batch(demo, pdf.lazy())


def test_table_errors_keep_every_hospital(
    demo: sanjia.Rulebook, samples: list[sanjia.Evidence]
) -> None:
    rows = [r for e in samples for r in evidence_rows(e)]
    rows.append({**rows[0], "hospital_id": "H-BAD", "criterion_id": "no-such-id"})
    rows.append({**rows[1], "hospital_id": "H001"})  # a duplicate row for H001
    result = sanjia.score_batch(demo, pa.Table.from_pylist(rows))
    summary = result.summary().to_pylist()
    assert [r["hospital_id"] for r in summary] == ["H001", "H002", "H004", "H003", "H-BAD"]
    by = {r["hospital_id"]: r for r in summary}
    assert "given twice" in by["H001"]["error"]
    assert "unknown criterion id" in by["H-BAD"]["error"]
    assert by["H002"]["grade"] == "乙等"


def test_table_missing_column(demo: sanjia.Rulebook) -> None:
    with pytest.raises(sanjia.EvidenceError, match="criterion_id"):
        sanjia.score_batch(demo, pa.table({"hospital_id": ["H1"]}))


def test_progress_callback(demo: sanjia.Rulebook, samples: list[sanjia.Evidence]) -> None:
    seen: list[tuple[int, int]] = []
    sanjia.score_batch(demo, samples, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (len(samples), len(samples))


def test_panics_do_not_cross(demo: sanjia.Rulebook) -> None:
    # Deeply nested input is rejected with an error, not a crash.
    deep: dict[str, object] = {"hospital": "X"}
    cur = deep
    for _ in range(100):
        nxt: dict[str, object] = {}
        cur["indicators"] = nxt
        cur = nxt
    with pytest.raises(TypeError, match="nested too deeply"):
        sanjia.Evidence.from_dict(deep)
