"""sanjia.exams: the 三基 exam check and training minimums through the Python API, and staff
records feeding rulebook criteria through sanjia.score / score_batch."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sanjia
from sanjia import exams

# ------------------------------------------------------------------------------- helpers


def roster_of(n: int, dept: str = "内科", cat: str = "医师", **cols: list[Any]) -> pa.Table:
    d: dict[str, Any] = {
        "staff_id": [f"S{i:03d}" for i in range(n)],
        "department": [dept] * n,
        "category": [cat] * n,
    }
    d.update(cols)
    return pa.table(d)


def sittings_of(rows: Iterable[tuple[Any, ...]], components: tuple[str, ...] = ()) -> pa.Table:
    """Rows of (staff_id, exam_id, attempt, score, *components)."""
    rows = list(rows)
    d: dict[str, Any] = {
        "staff_id": pa.array([r[0] for r in rows], pa.string()),
        "exam_id": pa.array([r[1] for r in rows], pa.string()),
        "attempt": pa.array([r[2] for r in rows], pa.int64()),
        "score": pa.array([r[3] for r in rows], pa.float64()),
    }
    for k, c in enumerate(components):
        d[c] = pa.array([r[4 + k] for r in rows], pa.float64())
    return pa.table(d)


def one_row(result: exams.ExamResult) -> dict[str, Any]:
    rows: list[dict[str, Any]] = result.summary.to_pylist()
    assert len(rows) == 1, rows
    return rows[0]


# ----------------------------------------------------------------------- boundaries by hand


def test_95_of_100_meets_95_percent_94_of_99_does_not() -> None:
    r = exams.evaluate(
        roster_of(100),
        sittings_of((f"S{i:03d}", "E1", 1, 75.0 if i < 95 else 52.0) for i in range(100)),
    )
    row = one_row(r)
    assert (row["expected"], row["sat"], row["first_passed"]) == (100, 100, 95)
    assert row["first_pass_rate"] == 0.95
    assert row["pass_met"] is True and row["participation_met"] is True
    assert r.measure("first_pass_rate") == Fraction(95, 100)

    r = exams.evaluate(
        roster_of(99),
        sittings_of((f"S{i:03d}", "E1", 1, 75.0 if i < 94 else 52.0) for i in range(99)),
    )
    row = one_row(r)
    assert (row["sat"], row["first_passed"]) == (99, 94)
    assert row["pass_met"] is False  # 94/99 = 94.949...% < 95%
    assert r.measure("judged_pass_rate") == Fraction(94, 99)
    failed = r.people.to_pylist()
    assert len(failed) == 5 and {p["problem"] for p in failed} == {"failed"}


def test_one_unexempted_absentee_fails_full_participation() -> None:
    # 99 of 100 sat; S099 has no sitting at all and no exemption.
    r = exams.evaluate(
        roster_of(100, dept="急诊科", cat="护士"),
        sittings_of((f"S{i:03d}", "E1", 1, 90.0) for i in range(99)),
    )
    row = one_row(r)
    assert (row["expected"], row["sat"], row["absent"]) == (100, 99, 1)
    assert row["participation_met"] is False
    assert row["pass_met"] is True
    (p,) = r.people.to_pylist()
    assert (p["staff_id"], p["exam_id"], p["problem"]) == ("S099", "E1", "absent")
    assert (p["department"], p["category"]) == ("急诊科", "护士")
    # a null score is absent too
    r = exams.evaluate(
        roster_of(2), sittings_of([("S000", "E1", 1, 90.0), ("S001", "E1", 1, None)])
    )
    assert one_row(r)["absent"] == 1


def test_exemption_reasons_in_and_out_of_the_policy() -> None:
    reasons = [None] * 98 + ["产假", "事假"]
    roster = roster_of(100, exempt_reason=reasons)
    sittings = sittings_of((f"S{i:03d}", "E1", 1, 88.0) for i in range(98))
    r = exams.evaluate(roster, sittings)
    row = one_row(r)
    # 产假 (maternity leave) is accepted by the built-in policy: out of the denominator;
    # 事假 is not: S099 stays expected, absent, with the reason kept.
    assert (row["expected"], row["exempt"], row["sat"], row["absent"]) == (99, 1, 98, 1)
    assert row["participation_met"] is False
    (p,) = r.people.to_pylist()
    assert (p["staff_id"], p["unaccepted_reason"]) == ("S099", "事假")
    audit = {a["staff_id"]: a for a in r.exemptions.to_pylist()}
    assert audit["S098"]["accepted"] and audit["S098"]["outcome"] == "excluded"
    assert not audit["S099"]["accepted"] and audit["S099"]["outcome"] == "counted_absent"

    # A policy that accepts 事假 as well: full participation.
    r = exams.evaluate(roster, sittings, policy={"exempt_reasons": ["产假", "事假"]})
    row = one_row(r)
    assert (row["expected"], row["exempt"], row["participation_met"]) == (98, 2, True)

    # A per-exam exemption in the exemptions table; one who sat anyway counts as sat.
    ex = pa.table(
        {"staff_id": ["S097", "S000"], "exam_id": ["E1", None], "reason": ["外出进修"] * 2}
    )
    r = exams.evaluate(
        roster_of(100), sittings_of((f"S{i:03d}", "E1", 1, 88.0) for i in range(97)), exemptions=ex
    )
    row = one_row(r)
    assert (row["expected"], row["exempt"], row["sat"], row["absent"]) == (99, 1, 97, 2)
    outcomes = {(a["staff_id"], a["outcome"], a["source"]) for a in r.exemptions.to_pylist()}
    assert outcomes == {("S097", "excluded", "table"), ("S000", "sat_anyway", "table")}


def test_makeups_counted_both_ways() -> None:
    # S0 passes first time; S1 fails then passes the make-up; S2 fails both.
    sittings = sittings_of(
        [
            ("S000", "E1", 1, 80.0),
            ("S001", "E1", 1, 40.0),
            ("S001", "E1", 2, 70.0),
            ("S002", "E1", 1, 30.0),
            ("S002", "E1", 2, 50.0),
        ]
    )
    counts = exams.evaluate(roster_of(3), sittings)
    row = one_row(counts)
    assert (row["first_passed"], row["final_passed"], row["makeups"]) == (1, 2, 2)
    assert row["first_pass_rate"] == pytest.approx(1 / 3)
    assert row["final_pass_rate"] == pytest.approx(2 / 3)
    # The judged rate is the first one by default (1/3), or the final one:
    final = exams.evaluate(roster_of(3), sittings, policy=exams.Policy(judge="final"))
    assert one_row(final)["judged_passed"] == 2
    # A make-up pass that does not count: final = first.
    strict = exams.evaluate(
        roster_of(3), sittings, policy={"makeup_counts": False, "judge": "final"}
    )
    row = one_row(strict)
    assert (row["first_passed"], row["final_passed"], row["judged_passed"]) == (1, 1, 1)
    # Per exam kind: make-ups count for 三基理论 only.
    ex = pa.table({"exam_id": ["E1", "E2"], "kind": ["三基理论", "三基操作"]})
    both = pa.concat_tables([sittings, pc_replace(sittings, "exam_id", "E1", "E2")])
    pol = exams.Policy(judge="final", kinds={"三基操作": {"makeup_counts": False}})
    r = exams.evaluate(roster_of(3), both, exams=ex, policy=pol, by="exam_kind")
    by_kind = {row["exam_kind"]: row for row in r.summary.to_pylist()}
    assert by_kind["三基理论"]["final_passed"] == 2
    assert by_kind["三基操作"]["final_passed"] == 1


def pc_replace(t: pa.Table, col: str, old: str, new: str) -> pa.Table:
    i = t.schema.get_field_index(col)
    return t.set_column(i, col, pc.replace_substring(t[col], old, new))


def test_component_rules() -> None:
    # theory / skill scores, no total: every component must pass by default.
    sittings = sittings_of(
        [("S000", "E1", 1, None, 80.0, 55.0), ("S001", "E1", 1, None, 70.0, 90.0)],
        components=("theory", "skill"),
    )
    sittings = sittings.drop_columns(["score"])
    r = exams.evaluate(roster_of(2), sittings)  # component columns found by themselves
    assert one_row(r)["first_passed"] == 1
    assert [p["staff_id"] for p in r.people.to_pylist()] == ["S000"]
    # the weighted total decides instead: S000 = 0.5*80 + 0.5*55 = 67.5 passes
    pol = exams.Policy(components="total", component_weights={"theory": 0.5, "skill": "0.5"})
    r = exams.evaluate(roster_of(2), sittings, policy=pol)
    assert one_row(r)["first_passed"] == 2
    # a required component that is missing fails the sitting
    missing = sittings_of(
        [("S000", "E1", 1, None, 80.0, None), ("S001", "E1", 1, None, 70.0, 90.0)],
        components=("theory", "skill"),
    )
    r = exams.evaluate(roster_of(2), missing, policy={"required_components": ["theory", "skill"]})
    assert one_row(r)["first_passed"] == 1
    r = exams.evaluate(roster_of(2), missing, component_columns=["theory", "skill"])
    assert one_row(r)["first_passed"] == 2  # only the components present must pass


def test_pass_mark_from_the_exams_table_and_policy() -> None:
    sittings = sittings_of([("S000", "E1", 1, 75.0), ("S000", "E2", 1, 75.0)])
    ex = pa.table({"exam_id": ["E1", "E2"], "pass_mark": [None, 80.0]})
    r = exams.evaluate(roster_of(1), sittings, exams=ex)
    assert {row["exam_id"]: row["first_passed"] for row in r.summary.to_pylist()} == {
        "E1": 1,
        "E2": 0,
    }
    r = exams.evaluate(roster_of(1), sittings, policy=exams.Policy(pass_mark=Decimal("75.5")))
    assert r.total["first_passed"] == 0


def test_scope_and_dates_from_the_exams_table() -> None:
    roster = pa.table(
        {
            "staff_id": ["D1", "N1", "N2"],
            "department": ["内科", "内科", "外科"],
            "category": ["医师", "护士", "护士"],
            "employed_from": pa.array([None, None, "2024-06-01"]),
        }
    )
    ex = pa.table({"exam_id": ["E1"], "categories": ["护士"], "date": pa.array(["2024-03-01"])})
    r = exams.evaluate(roster, sittings_of([("N1", "E1", 1, 90.0)]), exams=ex)
    # only N1 is expected: D1 is a doctor, N2 was not yet employed
    assert one_row(r)["expected"] == 1 and one_row(r)["participation_met"] is True


# ------------------------------------------------------------------------- the seed case


CATS = ("医师", "护士", "医技", "药学", "管理")
KINDS = ("三基理论", "三基操作", "专科理论")
REASONS = ("产假", "长期病假", "外出进修", "个人原因")


@dataclass
class Seed:
    staff: list[dict[str, Any]] = field(default_factory=list)
    exams: list[dict[str, Any]] = field(default_factory=list)
    sittings: list[dict[str, Any]] = field(default_factory=list)
    exemptions: list[dict[str, Any]] = field(default_factory=list)


def seed_case(seed: int = 3) -> Seed:
    """3,000 staff in 24 departments and 5 categories; 500 exam sessions (场), each scoped to
    some categories / departments; absentees, exemptions, make-ups, skill exams with theory
    and skill scores."""
    rnd = random.Random(seed)
    depts = [f"科室{i:02d}" for i in range(24)]
    s = Seed()
    for i in range(3000):
        s.staff.append(
            {
                "staff_id": f"S{i:05d}",
                "department": rnd.choice(depts),
                "category": rnd.choice(CATS),
                "exempt_reason": rnd.choice(REASONS) if rnd.random() < 0.02 else None,
            }
        )
    for i in range(500):
        cats = sorted(rnd.sample(CATS, rnd.randint(1, 3)))
        dep = sorted(rnd.sample(depts, rnd.randint(1, 6))) if rnd.random() < 0.5 else None
        s.exams.append(
            {
                "exam_id": f"E{i:03d}",
                "kind": rnd.choice(KINDS),
                "categories": "、".join(cats),
                "departments": ",".join(dep) if dep else None,
                "pass_mark": 70.0 if rnd.random() < 0.1 else None,
            }
        )
    for e in s.exams:
        cats = set(e["categories"].split("、"))
        deps = set(e["departments"].split(",")) if e["departments"] else None
        skill = e["kind"] == "三基操作"
        for p in s.staff:
            if p["category"] not in cats or (deps is not None and p["department"] not in deps):
                continue
            if rnd.random() < 0.004:
                s.exemptions.append(
                    {
                        "staff_id": p["staff_id"],
                        "exam_id": e["exam_id"],
                        "reason": rnd.choice(REASONS),
                    }
                )
            if rnd.random() < 0.03:
                continue
            present = rnd.random() >= 0.02

            def scores(
                lo: int, skill: bool = skill
            ) -> tuple[float | None, float | None, float | None]:
                if skill:
                    return (None, rnd.randint(lo, 100) * 1.0, rnd.randint(lo, 100) * 1.0)
                return (rnd.randint(lo, 100) * 1.0, None, None)

            sc = scores(40) if present else (None, None, None)
            s.sittings.append(
                {
                    "staff_id": p["staff_id"],
                    "exam_id": e["exam_id"],
                    "attempt": 1,
                    "score": sc[0],
                    "theory": sc[1],
                    "skill": sc[2],
                }
            )
            if rnd.random() < 0.4:
                m = scores(55)
                s.sittings.append(
                    {
                        "staff_id": p["staff_id"],
                        "exam_id": e["exam_id"],
                        "attempt": 2,
                        "score": m[0],
                        "theory": m[1],
                        "skill": m[2],
                    }
                )
    return s


SEED_POLICY = {"pass_mark": 60, "kinds": {"三基操作": {"makeup_counts": False}}}


def seed_expected(s: Seed) -> tuple[dict[str, dict[str, int]], set[tuple[str, str, str]]]:
    """Per-exam counts and the people behind the gaps, computed with plain Python."""
    accepted = {"产假", "长期病假", "外出进修"}
    table_ex: dict[tuple[str, str], list[str]] = defaultdict(list)
    for x in s.exemptions:
        table_ex[(x["staff_id"], x["exam_id"])].append(x["reason"])
    sits: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in s.sittings:
        sits[(r["exam_id"], r["staff_id"])].append(r)
    out: dict[str, dict[str, int]] = {}
    people: set[tuple[str, str, str]] = set()
    for e in s.exams:
        pm = e["pass_mark"] if e["pass_mark"] is not None else 60
        makeup_counts = e["kind"] != "三基操作"
        cats = set(e["categories"].split("、"))
        deps = set(e["departments"].split(",")) if e["departments"] else None
        c = dict.fromkeys(["expected", "sat", "absent", "exempt", "first", "final", "makeups"], 0)
        for p in s.staff:
            if p["category"] not in cats or (deps is not None and p["department"] not in deps):
                continue
            mine = sits.get((e["exam_id"], p["staff_id"]), [])

            def scored(r: dict[str, Any]) -> bool:
                return r["score"] is not None or r["theory"] is not None or r["skill"] is not None

            def passed(r: dict[str, Any], pm: float = pm) -> bool:
                vals = [v for v in (r["theory"], r["skill"]) if v is not None]
                if vals:
                    return all(v >= pm for v in vals)
                return r["score"] is not None and r["score"] >= pm

            sat = any(scored(r) for r in mine)
            reasons = ([p["exempt_reason"]] if p["exempt_reason"] else []) + table_ex.get(
                (p["staff_id"], e["exam_id"]), []
            )
            if not sat and any(r in accepted for r in reasons):
                c["exempt"] += 1
                continue
            c["expected"] += 1
            if not sat:
                c["absent"] += 1
                people.add((e["exam_id"], p["staff_id"], "absent"))
                continue
            c["sat"] += 1
            first = any(r["attempt"] == 1 and scored(r) and passed(r) for r in mine)
            makeup = any(r["attempt"] >= 2 and scored(r) and passed(r) for r in mine)
            c["first"] += first
            c["final"] += first or (makeup_counts and makeup)
            c["makeups"] += any(r["attempt"] >= 2 and scored(r) for r in mine)
            if not first:
                people.add((e["exam_id"], p["staff_id"], "failed"))
        out[e["exam_id"]] = c
    return out, people


def test_seed_case_matches_plain_python() -> None:
    s = seed_case()
    assert len(s.staff) == 3000 and len(s.exams) == 500
    result = exams.evaluate(
        pa.Table.from_pylist(s.staff),
        pa.Table.from_pylist(s.sittings),
        exams=pa.Table.from_pylist(s.exams),
        exemptions=pa.Table.from_pylist(s.exemptions),
        policy=SEED_POLICY,
        component_columns=["theory", "skill"],
    )
    want, people = seed_expected(s)
    got = {row["exam_id"]: row for row in result.summary.to_pylist()}
    assert set(got) == set(want)
    for exam_id, c in want.items():
        g = got[exam_id]
        assert (g["expected"], g["sat"], g["absent"], g["exempt"]) == (
            c["expected"],
            c["sat"],
            c["absent"],
            c["exempt"],
        ), exam_id
        assert (g["first_passed"], g["final_passed"], g["makeups"]) == (
            c["first"],
            c["final"],
            c["makeups"],
        ), exam_id
        assert g["participation_met"] == (c["sat"] == c["expected"] if c["expected"] else None)
        assert g["pass_met"] == (c["first"] * 100 >= 95 * c["sat"] if c["sat"] else None)
    got_people = {(p["exam_id"], p["staff_id"], p["problem"]) for p in result.people.to_pylist()}
    assert got_people == people
    assert result.rows["sittings"] == {
        "input": len(s.sittings),
        "used": len(s.sittings),
        "rejected": 0,
    }
    # Totals and a regrouping without evaluating again agree with the per-exam rows.
    total = result.total
    assert total["expected"] == sum(c["expected"] for c in want.values())
    by_cat = result.summary_by("category")
    assert sum(by_cat["sat"].to_pylist()) == total["sat"]
    assert by_cat.column_names[0] == "category"


# ------------------------------------------------------------- differential test vs pandas


def random_case(seed: int) -> dict[str, pa.Table]:
    rnd = random.Random(seed)
    n_staff, n_exams = rnd.randint(5, 120), rnd.randint(1, 12)
    depts = ["内科", "外科", "急诊科", "ICU"][: rnd.randint(1, 4)]
    hosp = ["H1", "H2"][: rnd.randint(1, 2)]
    staff = [
        {
            "staff_id": f"P{i:04d}",
            "hospital_id": rnd.choice(hosp),
            "department": rnd.choice(depts),
            "category": rnd.choice(CATS[:3]),
            "exempt_reason": rnd.choice(REASONS) if rnd.random() < 0.1 else None,
        }
        for i in range(n_staff)
    ]
    exam_rows = [
        {
            "exam_id": f"X{i:02d}",
            "kind": rnd.choice(KINDS),
            "hospital_id": rnd.choice(hosp),
            "categories": ",".join(rnd.sample(CATS[:3], rnd.randint(1, 3)))
            if rnd.random() < 0.5
            else None,
            "pass_mark": rnd.choice([None, None, 70.0, 59.5]),
        }
        for i in range(n_exams)
    ]
    sittings, exemptions = [], []
    for e in exam_rows:
        for p in staff:
            if p["hospital_id"] != e["hospital_id"]:
                continue
            if e["categories"] and p["category"] not in e["categories"].split(","):
                continue
            if rnd.random() < 0.05:
                exemptions.append(
                    {
                        "staff_id": p["staff_id"],
                        "exam_id": rnd.choice([e["exam_id"], None]),
                        "reason": rnd.choice(REASONS),
                    }
                )
            if rnd.random() < 0.1:
                continue
            for a in range(1, rnd.choice([1, 1, 2, 3]) + 1):
                score = (
                    None
                    if rnd.random() < 0.1
                    else rnd.choice([rnd.uniform(0, 100), 59.5, 60.0, 70.0, 100.0, 0.0])
                )
                sittings.append(
                    {
                        "staff_id": p["staff_id"],
                        "exam_id": e["exam_id"],
                        "attempt": a,
                        "score": score,
                    }
                )
    rnd.shuffle(sittings)
    return {
        "roster": pa.Table.from_pylist(staff),
        "exams": pa.Table.from_pylist(
            exam_rows,
            schema=pa.schema(
                [
                    ("exam_id", pa.string()),
                    ("kind", pa.string()),
                    ("hospital_id", pa.string()),
                    ("categories", pa.string()),
                    ("pass_mark", pa.float64()),
                ]
            ),
        ),
        "sittings": pa.Table.from_pylist(
            sittings,
            schema=pa.schema(
                [
                    ("staff_id", pa.string()),
                    ("exam_id", pa.string()),
                    ("attempt", pa.int64()),
                    ("score", pa.float64()),
                ]
            ),
        ),
        "exemptions": pa.Table.from_pylist(
            exemptions,
            schema=pa.schema(
                [("staff_id", pa.string()), ("exam_id", pa.string()), ("reason", pa.string())]
            ),
        ),
    }


def target(text: str) -> Fraction:
    op, value = text.split()
    assert op == ">="
    return Fraction(value.rstrip("%")) / 100


def pandas_reference(t: dict[str, pa.Table], policy: exams.Policy, by: list[str]) -> pd.DataFrame:
    """The summary computed the straightforward way with pandas."""
    roster = t["roster"].to_pandas()
    ex = t["exams"].to_pandas()
    sit = t["sittings"].to_pandas()
    exm = t["exemptions"].to_pandas()
    rules = {k: policy.rule_for_kind(k) for k in ex["kind"].unique()}
    ex["pm"] = [
        float(pm) if pd.notna(pm) else float(rules[k]["pass_mark"])
        for pm, k in zip(ex["pass_mark"], ex["kind"], strict=True)
    ]
    ex["makeup_counts"] = [rules[k]["makeup_counts"] for k in ex["kind"]]
    ex["judge"] = [rules[k]["judge"] for k in ex["kind"]]
    pairs = ex.merge(roster, on="hospital_id", suffixes=("_exam", ""))
    in_scope = [
        c is None or not isinstance(c, str) or cat in c.split(",")
        for c, cat in zip(pairs["categories"], pairs["category"], strict=True)
    ]
    pairs = pairs[in_scope]
    s = sit.merge(ex[["exam_id", "pm"]], on="exam_id")
    s["scored"] = s["score"].notna()
    s["passed"] = s["scored"] & (s["score"] >= s["pm"])
    s["first_ok"] = (s["attempt"] == 1) & s["passed"]
    s["makeup_ok"] = (s["attempt"] >= 2) & s["passed"]
    s["makeup"] = (s["attempt"] >= 2) & s["scored"]
    per = s.groupby(["exam_id", "staff_id"])[["scored", "first_ok", "makeup_ok", "makeup"]].any()
    pairs = pairs.merge(per, left_on=["exam_id", "staff_id"], right_index=True, how="left")
    for c in ["scored", "first_ok", "makeup_ok", "makeup"]:
        pairs[c] = pairs[c].astype("boolean").fillna(False).astype(bool)
    accepted = set(policy.exempt_reasons)
    ok_table = exm[exm["reason"].isin(accepted)]
    all_exams = set(ok_table.loc[ok_table["exam_id"].isna(), "staff_id"])
    one_exam = set(zip(ok_table["staff_id"], ok_table["exam_id"], strict=True))
    has_ok = [
        (r in accepted) or (sid in all_exams) or ((sid, eid) in one_exam)
        for r, sid, eid in zip(
            pairs["exempt_reason"], pairs["staff_id"], pairs["exam_id"], strict=True
        )
    ]
    pairs["exempt"] = pd.Series(has_ok, index=pairs.index) & ~pairs["scored"]
    pairs["expected"] = ~pairs["exempt"]
    pairs["sat"] = pairs["scored"]
    pairs["first_passed"] = pairs["first_ok"]
    pairs["final_passed"] = pairs["first_ok"] | (pairs["makeup_ok"] & pairs["makeup_counts"])
    pairs["judged_passed"] = pairs["first_passed"].where(
        pairs["judge"] == "first", pairs["final_passed"]
    )
    pairs["makeups"] = pairs["makeup"]
    cols = ["expected", "sat", "exempt", "first_passed", "final_passed", "judged_passed", "makeups"]
    g = pairs.groupby(by)[cols].sum().reset_index() if by else pairs[cols].sum().to_frame().T
    g["absent"] = g["expected"] - g["sat"]
    den = g["sat"] if policy.pass_rate_denominator == "sat" else g["expected"]
    pt, st = target(policy.participation_target), target(policy.pass_target)
    g["participation_met"] = [
        None if e == 0 else s * pt.denominator >= pt.numerator * e
        for s, e in zip(g["sat"], g["expected"], strict=True)
    ]
    g["pass_met"] = [
        None if d == 0 else j * st.denominator >= st.numerator * d
        for j, d in zip(g["judged_passed"], den, strict=True)
    ]
    g["first_pass_rate"] = [
        None if d == 0 else f / d for f, d in zip(g["first_passed"], den, strict=True)
    ]
    return g.sort_values(by).reset_index(drop=True) if by else g


POLICIES = [
    {},
    {"pass_mark": 80, "makeup_counts": False, "judge": "final"},
    {
        "judge": "final",
        "kinds": {"三基操作": {"judge": "first", "pass_mark": 75}},
        "pass_target": ">= 90%",
        "participation_target": ">= 98%",
    },
    {"pass_rate_denominator": "expected", "exempt_reasons": ["个人原因"]},
]


@pytest.mark.parametrize("seed", range(12))
def test_differential_against_pandas(seed: int) -> None:
    t = random_case(seed)
    policy = exams.Policy.from_dict(POLICIES[seed % len(POLICIES)])
    by = [["exam_id", "department", "category"], ["hospital_id"], ["exam_kind", "category"], []][
        seed % 4
    ]
    r = exams.evaluate(
        t["roster"],
        t["sittings"],
        exams=t["exams"],
        exemptions=t["exemptions"],
        policy=policy,
        by=by,
    )
    want = pandas_reference(t, policy, [c if c != "exam_kind" else "kind" for c in by])
    got = r.summary.to_pandas()
    if not by:
        got = got[got["expected"] + got["exempt"] > 0]
    assert len(got) == len(want), (got, want)
    for c in [
        "expected",
        "sat",
        "absent",
        "exempt",
        "first_passed",
        "final_passed",
        "judged_passed",
        "makeups",
    ]:
        assert got[c].tolist() == want[c].astype(int).tolist(), c
    for c in ["participation_met", "pass_met"]:
        assert [None if pd.isna(v) else bool(v) for v in got[c]] == list(want[c]), c
    for a, b in zip(got["first_pass_rate"], want["first_pass_rate"], strict=True):
        assert (b is None and (a is None or math.isnan(a))) or a == pytest.approx(b, abs=1e-12)


# ------------------------------------------------- independent of threads and row order


def test_independent_of_thread_count_row_order_and_batches() -> None:
    t = random_case(101)
    base = exams.evaluate(
        t["roster"],
        t["sittings"],
        exams=t["exams"],
        exemptions=t["exemptions"],
        by=("exam_id", "department"),
        n_threads=1,
    )
    rng = random.Random(5)
    for threads in (1, 2, 4):
        idx = list(range(t["sittings"].num_rows))
        rng.shuffle(idx)
        shuffled = t["sittings"].take(idx)
        chunked = pa.Table.from_batches(shuffled.to_batches(max_chunksize=97))
        ridx = list(range(t["roster"].num_rows))
        rng.shuffle(ridx)
        r = exams.evaluate(
            t["roster"].take(ridx),
            chunked,
            exams=t["exams"],
            exemptions=t["exemptions"],
            by=("exam_id", "department"),
            n_threads=threads,
        )
        assert r.summary.equals(base.summary)
        assert r.people.equals(base.people)
        assert r.exemptions.drop_columns(["source_row"]).equals(
            base.exemptions.drop_columns(["source_row"])
        )


# ------------------------------------------------------------------------------ bad input


def bad_sittings() -> pa.Table:
    return pa.table(
        {
            "staff_id": ["S000", "S001", "NOBODY", "S002", "S002", "S003", "S004", "S000"],
            "exam_id": ["E1"] * 8,
            "attempt": [1, 1, 1, 1, 1, 0, 2, 1],
            "score": [80.0, 101.0, 90.0, 70.0, 71.0, 60.0, 66.0, float("nan")],
        }
    )


def test_strict_mode_names_table_and_rows() -> None:
    with pytest.raises(sanjia.ExamsError) as e:
        exams.evaluate(roster_of(5), bad_sittings())
    err = e.value
    assert isinstance(err, sanjia.SanjiaError) and isinstance(err, ValueError)
    msg = str(err)
    assert "bad input row" in msg and "sittings row 2" in msg and "NOBODY" in msg
    assert err.table == "sittings"
    assert err.total == len(err.rows) == 7
    reasons = {p["row"]: p["reason"] for p in err.problems}
    assert reasons[1] == "score_out_of_range"
    assert reasons[2] == "unknown_staff"
    assert reasons[3] == reasons[4] == "duplicate"
    assert reasons[5] == "bad_attempt"
    assert reasons[6] == "makeup_without_first"
    assert reasons[7] == "nan_score"


def test_lenient_mode_lists_rejected_rows_and_counts_add_up() -> None:
    r = exams.evaluate(roster_of(5), bad_sittings(), lenient=True)
    rej = r.rejections.to_pylist()
    assert [x["row"] for x in rej] == [1, 2, 3, 4, 5, 6, 7]
    assert all(x["table"] == "sittings" and x["message"] for x in rej)
    rows = r.rows["sittings"]
    assert rows == {"input": 8, "used": 1, "rejected": 7}
    assert all(v["input"] == v["used"] + v["rejected"] for v in r.rows.values())
    # S000's row 0 is used: 1 sat of 5 expected; the others are absent.
    row = one_row(r)
    assert (row["expected"], row["sat"], row["absent"]) == (5, 1, 4)


def test_shape_errors_name_table_and_column() -> None:
    with pytest.raises(sanjia.ExamsError) as e:
        exams.evaluate(roster_of(2).drop_columns(["category"]), sittings_of([]))
    assert (e.value.table, e.value.column) == ("roster", "category")
    assert "required column `category` is missing" in str(e.value)
    bad = sittings_of([("S000", "E1", 1, 80.0)])
    bad = bad.set_column(3, "score", pa.array(["80"]))
    with pytest.raises(sanjia.ExamsError) as e:
        exams.evaluate(roster_of(1), bad)
    assert (e.value.table, e.value.column) == ("sittings", "score")
    with pytest.raises(sanjia.ExamsError, match="cannot group by 'ward'"):
        exams.evaluate(roster_of(1), sittings_of([]), by=("ward",))
    with pytest.raises(sanjia.ExamsError, match="pass_mark"):
        exams.evaluate(roster_of(1), sittings_of([]), policy={"pass_mark": 101})
    with pytest.raises(TypeError, match="collect"):
        exams.evaluate(pl.from_arrow(roster_of(1)).lazy(), sittings_of([]))
    with pytest.raises(TypeError, match="sittings"):
        exams.evaluate(roster_of(1), 42)


# --------------------------------------------------------------- inputs of every library


def test_pyarrow_pandas_polars_and_string_types_agree() -> None:
    t = random_case(7)
    ref = exams.evaluate(t["roster"], t["sittings"], exams=t["exams"], by=("exam_id", "category"))

    def variants(tab: pa.Table) -> list[Any]:
        strings = [f.name for f in tab.schema if pa.types.is_string(f.type)]

        def cast(ty: pa.DataType) -> pa.Table:
            out = tab
            for name in strings:
                out = out.set_column(out.schema.get_field_index(name), name, out[name].cast(ty))
            return out

        return [
            tab.to_pandas(),
            pl.from_arrow(tab),  # strings as Utf8View
            cast(pa.large_string()),
            cast(pa.string_view()),
            tab.to_reader(max_chunksize=50),
            tab.combine_chunks().to_batches()[0] if tab.num_rows else tab,
        ]

    for r, s, e in zip(
        variants(t["roster"]), variants(t["sittings"]), variants(t["exams"]), strict=True
    ):
        got = exams.evaluate(r, s, exams=e, by=("exam_id", "category"))
        assert got.summary.equals(ref.summary), type(r)
    # dictionary-encoded ids
    dict_sit = t["sittings"].set_column(
        0, "staff_id", pc.dictionary_encode(t["sittings"]["staff_id"])
    )
    got = exams.evaluate(t["roster"], dict_sit, exams=t["exams"], by=("exam_id", "category"))
    assert got.summary.equals(ref.summary)


def test_result_views() -> None:
    t = random_case(3)
    r = exams.evaluate(t["roster"], t["sittings"], exams=t["exams"], by=["hospital", "exam"])
    cols = r.summary.column_names
    assert cols[:2] == ["hospital_id", "exam_id"]
    assert cols[2:14] == list(exams.SUMMARY_COLUMNS)
    assert r.to_pandas().shape[0] == r.summary.num_rows
    assert r.to_polars().shape[0] == r.summary.num_rows
    assert pa.table(r).equals(r.summary)
    assert r.summary_by("hospital_id", "exam_id").equals(r.summary)
    assert r.summary_by(["category"]).column_names[0] == "category"
    assert r.summary_by().num_rows == 1
    assert "ExamResult by hospital_id, exam_id" in repr(r)
    assert "<table" in r._repr_html_()
    calls: list[tuple[int, int]] = []
    exams.evaluate(
        t["roster"],
        t["sittings"],
        exams=t["exams"],
        n_threads=2,
        progress=lambda d, n: calls.append((d, n)),
    )
    assert calls and calls[-1] == (t["sittings"].num_rows, t["sittings"].num_rows)
    quick = exams.evaluate(t["roster"], t["sittings"], exams=t["exams"], people=False)
    assert quick.people.num_rows == 0 and quick.summary.equals(
        exams.evaluate(t["roster"], t["sittings"], exams=t["exams"]).summary
    )


# -------------------------------------------------------------------------------- policy


def test_policy_construction_and_repr() -> None:
    b = exams.Policy.builtin()
    assert b == exams.Policy() == exams.as_policy(None)
    assert b.pass_mark == Decimal(60) and b.full_mark == Decimal(100)
    assert (b.judge, b.components, b.makeup_counts) == ("first", "all", True)
    assert (b.participation_target, b.pass_target) == (">= 100%", ">= 95%")
    assert "产假" in b.exempt_reasons and b.sources
    p = exams.Policy(
        pass_mark=80,
        makeup_counts=False,
        components="total",
        exempt_reasons=["产假"],
        judge="final",
        participation_target=">= 98%",
        pass_target=">= 90%",
        kinds={"三基操作": {"pass_mark": "85.5"}},
    )
    text = repr(p)
    for part in [
        "pass_mark=80",
        "makeup_counts=False",
        "judge='final'",
        "components='total'",
        "exempt_reasons=['产假']",
        "participation_target='>= 98%'",
        "pass_target='>= 90%'",
        "'三基操作': {'pass_mark': 85.5}",
    ]:
        assert part in text, text
    assert p.rule_for_kind("三基操作")["pass_mark"] == Decimal("85.5")
    assert p.rule_for_kind("三基操作")["judge"] == "final"
    assert exams.Policy.from_dict(p.to_dict()) == p
    assert exams.Policy.from_toml(p.to_toml()) == p
    assert exams.as_policy("pass_mark = 80\nmakeup_counts = false").pass_mark == 80
    assert exams.as_policy({"pass_mark": 80}) == exams.Policy(pass_mark=80)
    assert p.replace(pass_mark=70).pass_mark == 70 and p.replace(pass_mark=70).judge == "final"
    rb = sanjia.Rulebook.builtin("demo")
    assert exams.as_policy(rb) == exams.Policy.from_rulebook(rb)
    with pytest.raises(sanjia.ExamsError, match="pass_target"):
        exams.Policy(pass_target="95%")
    with pytest.raises(sanjia.ExamsError, match="unknown field `pass_mrk`"):
        exams.Policy.from_dict({"pass_mrk": 60})
    with pytest.raises(sanjia.ExamsError, match="sum to"):
        exams.Policy(components="total", component_weights={"a": 0.5, "b": 0.4})
    with pytest.raises(TypeError):
        exams.Policy(pass_mrk=60)  # type: ignore[call-arg]


# ------------------------------------------------------------------------------ training


def sessions_table() -> pa.Table:
    return pa.table(
        {
            "session_id": ["D1", "D2", "D3", "T1", "D4"],
            "kind": ["应急演练", "应急演练", "消防演练", "培训", "应急演练"],
            "date": ["2024-02-10", "2024-05-03", "2024-09-01", "2024-03-01", "2024-10-20"],
            "department": ["急诊科", "ICU", None, "急诊科", "急诊科"],
            "attendees": [20, 12, 300, 45, None],
        }
    )


def test_training_minimums() -> None:
    req = [
        {
            "name": "drills",
            "kinds": ["应急演练", "消防演练"],
            "period": "half_year",
            "min_sessions": 1,
            "departments": ["急诊科", "ICU"],
            "hospital_wide_counts": False,
        }
    ]
    r = exams.training(sessions_table(), requirements=req, start="2024-01-01", end="2024-12-31")
    checks = {(c["department"], c["period"]): c for c in r.checks.to_pylist()}
    assert checks[("急诊科", "2024-H1")]["met"] and checks[("急诊科", "2024-H2")]["met"]
    assert checks[("ICU", "2024-H1")]["met"] and not checks[("ICU", "2024-H2")]["met"]
    assert r.shortfalls.num_rows == 1 and r.shortfalls["department"][0].as_py() == "ICU"
    assert r.window == ("2024-01-01", "2024-12-31")
    assert r.rows == {"input": 5, "used": 5, "rejected": 0}
    # hospital-wide drills count for every department when the requirement says so
    req[0]["hospital_wide_counts"] = True
    r = exams.training(
        sessions_table(), requirements={"requirements": req}, start="2024-01-01", end="2024-12-31"
    )
    assert r.shortfalls.num_rows == 0
    counts = r.counts("year").to_pylist()
    assert {(c["department"], c["kind"]): c["sessions"] for c in counts}[
        ("急诊科", "应急演练")
    ] == 2
    # TOML: training once a quarter in each department seen (急诊科, ICU), Q1..Q4 of the
    # sessions' span: only 急诊科 in Q1 has one.
    toml = '[[requirements]]\nname = "t"\nkinds = ["培训"]\nperiod = "quarter"\nmin_sessions = 1\n'
    r = exams.training(sessions_table(), requirements=toml)
    assert (r.checks.num_rows, r.shortfalls.num_rows) == (8, 7)
    assert exams.training(sessions_table()).checks.num_rows > 0  # built-in minimums
    with pytest.raises(sanjia.ExamsError, match="period"):
        exams.training(
            sessions_table(),
            requirements=[{"name": "x", "kinds": ["a"], "period": "week", "min_sessions": 1}],
        )
    bad = sessions_table().set_column(
        2, "date", pa.array(["2024-02-10", "soon", None, "2024-03-01", "2024-10-20"])
    )
    with pytest.raises(sanjia.ExamsError, match="sessions row 1"):
        exams.training(bad)
    r = exams.training(bad, lenient=True)
    assert r.rows == {"input": 5, "used": 3, "rejected": 2}
    assert r.rejections["reason"].to_pylist() == ["bad_date", "missing_value"]


# ------------------------------------------------------------- records in a score call


def demo_evidence(hospital: str = "H001") -> dict[str, Any]:
    ev = sanjia.Evidence.sample("demo").to_dict()
    for cid in ("3.3.1", "3.3.2", "3.3.3"):
        ev["indicators"].pop(cid)
    ev["hospital"] = hospital
    return ev


def province_records(plan: dict[str, tuple[int, int, int]]) -> dict[str, pa.Table]:
    """Per hospital: (expected, sat, passed) at one 三基理论 exam, and two drills."""
    roster, sits, exam_rows, sessions = [], [], [], []
    for h, (expected, sat, passed) in plan.items():
        exam_rows.append({"exam_id": f"{h}-E1", "kind": "三基理论", "hospital_id": h})
        for i in range(expected):
            sid = f"{h}-S{i:03d}"
            roster.append(
                {"staff_id": sid, "department": "内科", "category": "医师", "hospital_id": h}
            )
            if i < sat:
                sits.append(
                    {"staff_id": sid, "exam_id": f"{h}-E1", "score": 75.0 if i < passed else 52.0}
                )
        for k, d in enumerate(["2024-03-01", "2024-09-01"]):
            sessions.append(
                {
                    "session_id": f"D{k}",
                    "kind": "应急演练",
                    "date": d,
                    "department": "急诊科",
                    "hospital_id": h,
                }
            )
    return {
        "roster": pa.Table.from_pylist(roster),
        "sittings": pa.Table.from_pylist(sits),
        "exams": pa.Table.from_pylist(exam_rows),
        "sessions": pa.Table.from_pylist(sessions),
    }


def test_records_fed_criteria_give_the_typed_report(demo: sanjia.Rulebook) -> None:
    tables = province_records({"H001": (100, 100, 95)})
    fed = sanjia.score(demo, demo_evidence(), **tables)
    typed = sanjia.score(demo, sanjia.Evidence.sample("demo"))
    assert (fed.grade, fed.total) == (typed.grade, typed.total) == ("甲等", pytest.approx(924.39))
    assert fed.points("P3.3") == typed.points("P3.3") == 14
    # the same with polars / pandas tables, and with records evaluated once
    fed2 = sanjia.score(
        demo,
        demo_evidence(),
        roster=pl.from_arrow(tables["roster"]),
        sittings=tables["sittings"].to_pandas(),
        exams=tables["exams"],
        sessions=tables["sessions"],
    )
    assert fed2.to_json() == fed.to_json()
    recs = exams.records(demo, **tables)
    assert recs.exams is not None and recs.training is not None
    assert sanjia.score(demo, demo_evidence(), records=recs).to_json() == fed.to_json()
    with pytest.raises(TypeError, match="not both"):
        sanjia.score(demo, demo_evidence(), records=recs, roster=tables["roster"])
    with pytest.raises(sanjia.ExamsError, match="both a roster and sittings"):
        sanjia.score(demo, demo_evidence(), roster=tables["roster"])


def test_a_criterion_both_typed_and_fed_is_an_error(demo: sanjia.Rulebook) -> None:
    tables = province_records({"H001": (10, 10, 10)})
    with pytest.raises(sanjia.EvidenceError) as e:
        sanjia.score(
            demo,
            sanjia.Evidence.sample("demo"),
            roster=tables["roster"],
            sittings=tables["sittings"],
            exams=tables["exams"],
        )
    crits = [p["criterion"] for p in e.value.problems]
    assert crits == ["3.3.1", "3.3.2"]
    assert "takes its value from the staff records" in str(e.value)


def test_score_batch_filters_province_records_per_hospital(demo: sanjia.Rulebook) -> None:
    plan = {"H001": (100, 100, 95), "H002": (100, 99, 94), "H003": (40, 40, 40)}
    tables = province_records(plan)
    evs = [demo_evidence(h) for h in plan]
    res = sanjia.score_batch(demo, evs, n_threads=2, **tables)
    reports = {r.hospital: r for r in res.reports() if r is not None}
    single = {h: sanjia.score(demo, demo_evidence(h), **tables) for h in plan}
    for h in plan:
        assert reports[h].to_json() == single[h].to_json()
    p = {h: {n["id"]: n["points"] for n in r.to_dict()["nodes"]} for h, r in reports.items()}
    assert p["H001"]["3.3.2"] == p["H003"]["3.3.2"] == "5"
    # H002: participation 99% misses ">= 100" (0 of 5); 94/99 passes the ">= 90" band (3 of 5)
    assert (p["H002"]["3.3.1"], p["H002"]["3.3.2"]) == ("0", "3")
    # the same through a long evidence table
    from conftest import evidence_rows

    rows = [row for ev in evs for row in evidence_rows(sanjia.Evidence.from_dict(ev))]
    by_table = sanjia.score_batch(
        demo, pa.Table.from_pylist(rows), records=exams.records(demo, **tables)
    )
    assert [r.to_json() for r in by_table.reports() if r] == [single[h].to_json() for h in plan]
