"""Gap analysis, what-if and round comparison from Python, and the `sanjia gap` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sanjia

SANJIA = shutil.which("sanjia")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [SANJIA] if SANJIA else [sys.executable, "-m", "sanjia.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo() -> sanjia.Rulebook:
    return sanjia.Rulebook.builtin("demo")


@pytest.fixture(scope="module")
def grade_b(demo: sanjia.Rulebook) -> sanjia.Report:
    return sanjia.score(demo, sanjia.Evidence.sample("demo", "grade-b"))


def test_gap_to_plans_a_verified_minimal_path(grade_b: sanjia.Report) -> None:
    gap = grade_b.gap_to("甲等")
    assert isinstance(gap, sanjia.Gap)
    assert gap.status == "planned" and gap.reachable is True
    assert gap.target == "甲等" and gap.grade_now == "乙等"
    assert gap.proven_minimal is True
    assert gap.cost == 6.0
    assert len(gap.steps) == 6 and len(gap.changes) == 6
    plan = gap.plan
    assert plan is not None
    assert plan["after"]["grade"] == "甲等"
    assert plan["proven_minimal"] is True
    # Every step says why, with department and points.
    for s in gap.steps:
        assert s["reason"] and "→" in s["reason"]
        assert "change" in s and s["change"]["id"] == s["id"]
    # Failed conditions in words and numbers.
    summaries = [c["summary"] for c in gap.conditions]
    assert any("112.93 points short" in s for s in summaries)
    assert any("3 of 5 core articles at >= B" in s for s in summaries)
    # Grouped by department; every step appears once.
    steps = [s["id"] for d in gap.by_department for s in d["steps"]]
    assert sorted(steps) == sorted(s["id"] for s in gap.steps)
    # Plain data: the dict and JSON carry everything (decimals as text).
    d = gap.to_dict()
    assert d["status"] == "planned" and d["plan"]["cost"] == "6"
    assert json.loads(gap.to_json(indent=2))["target"] == "甲等"
    assert "proven minimal" in gap.explain()
    assert "6 changes" in repr(gap)


def test_the_plan_applied_reaches_the_target(demo: sanjia.Rulebook, grade_b: sanjia.Report) -> None:
    gap = grade_b.gap_to("甲等")
    w = grade_b.what_if(gap.changes)
    assert w.grade_after == "甲等" and w.grade_before == "乙等"
    ev = sanjia.Evidence.sample("demo", "grade-b").with_changes(gap.changes)
    assert sanjia.score(demo, ev).total == w.total_after


def test_costs_from_a_dict_or_a_file(grade_b: sanjia.Report, tmp_path: Path) -> None:
    by_dict = grade_b.gap_to("甲等", cost={"department": {"医务部": 3}})
    assert by_dict.cost == 9.0 and by_dict.proven_minimal
    f = tmp_path / "costs.toml"
    f.write_text('[department]\n"医务部" = 3\n', encoding="utf-8")
    by_file = grade_b.gap_to("甲等", cost=f)
    assert by_file.cost == by_dict.cost
    assert by_file.changes == by_dict.changes
    with pytest.raises(sanjia.SanjiaError, match="negative"):
        grade_b.gap_to("甲等", cost={"default": -1})
    with pytest.raises(sanjia.SanjiaError, match="unknown grade"):
        grade_b.gap_to("特等")


def test_unreachable_targets_say_why() -> None:
    r = sanjia.score("demo", sanjia.Evidence.sample("demo", "downgraded"))
    gap = r.gap_to("甲等")
    assert gap.status == "unreachable" and gap.reachable is False
    assert gap.plan is None and gap.steps == [] and gap.changes == []
    assert any("1.3.1" in x and "cannot be cleared" in x for x in gap.reasons)
    assert r.gap_to("乙等").status == "reached"


def test_a_small_budget_is_honest(grade_b: sanjia.Report) -> None:
    gap = grade_b.gap_to("甲等", max_nodes=1)
    assert gap.status == "planned" and gap.proven_minimal is False
    assert gap.plan is not None and gap.plan["after"]["grade"] == "甲等"


def test_what_if_flips(grade_b: sanjia.Report) -> None:
    w = grade_b.what_if({"3.1.2": "B"})
    assert [(f["grade"], f["condition"], f["after"]) for f in w.flips] == [
        ("甲等", "share(core articles, >= B) >= 70%", True)
    ]
    assert isinstance(w.report, sanjia.Report)
    assert w.total_after is not None and w.total_before is not None
    assert w.total_after > w.total_before
    assert [c["id"] for c in w.criteria] == ["3.1.2"]
    parts = {p["id"]: p for p in w.parts}
    assert parts["P2"]["delta"] == "0"
    # Lists of (id, value) and (id, period, value); gates from booleans.
    w2 = grade_b.what_if([("1.3.2", False), ("2.1.4", "2025", 1.0)])
    assert w2.gates == [
        {"id": "1.3.2", "title": w2.gates[0]["title"], "before": "pass", "after": "fail"}
    ]
    assert any(c["id"] == "2.1.4" and "2025" in c["after"] for c in w2.criteria)
    assert "What if" in w2.explain()
    with pytest.raises(sanjia.EvidenceError, match=r"2\.2\.7"):
        grade_b.what_if({"2.2.7": {"numerator": 5, "denominator": 2}})
    with pytest.raises(sanjia.SanjiaError, match="not an article level"):
        grade_b.what_if({"3.1.2": "Q"})


def test_with_changes_without_a_rulebook_uses_the_evidence() -> None:
    ev = sanjia.Evidence.sample("demo", "grade-b")
    changed = ev.with_changes({"3.1.2": "A", "1.3.2": "fail", "3.3.3": 4})
    d = changed.to_dict()
    assert d["articles"]["3.1.2"] == "A"
    assert d["gates"]["1.3.2"] is False
    assert d["indicators"]["3.3.3"]["2024"] == "4"
    assert ev.to_dict()["articles"]["3.1.2"] == "C"


def test_compare_three_rounds(grade_b: sanjia.Report) -> None:
    r2 = grade_b.what_if({"3.1.2": "A", "3.1.6": "A"}).report
    r3 = grade_b.what_if([*grade_b.gap_to("甲等").changes, ("3.2.2", "C")]).report
    c = sanjia.compare([grade_b, r2, r3], labels=["May", "June", "July"], target="甲等")
    assert isinstance(c, sanjia.Comparison)
    rounds = c.rounds
    assert [r["label"] for r in rounds] == ["May", "June", "July"]
    assert rounds[0]["failed_conditions"] > rounds[1]["failed_conditions"]
    steps = c.steps
    assert {d["id"] for d in steps[0]["improved"]} == {"3.1.2", "3.1.6"}
    assert [d["id"] for d in steps[1]["slipped"]] == ["3.2.2"]
    assert any(d["department"] == "院感科" for d in steps[0]["departments"])
    assert c.overall is not None and c.overall["from"] == "May"
    assert "toward 甲等" in c.trend
    assert "by department" in c.explain()
    assert c.to_dict()["target"] == "甲等"
    with pytest.raises(sanjia.SanjiaError, match="labels"):
        sanjia.compare([grade_b, r2], labels=["one"])


def test_cli_gap_text_and_json(tmp_path: Path) -> None:
    r = run("gap", "--to", "甲等", "--sample", "grade-b")
    assert r.returncode == 0, r.stderr
    assert "Plan: 6 changes" in r.stdout and "Verified" in r.stdout
    r = run("gap", "--to", "甲等", "--sample", "grade-b", "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["status"] == "planned" and len(d["changes"]) == 6
    costs = tmp_path / "costs.toml"
    costs.write_text('[department]\n"医务部" = 3\n', encoding="utf-8")
    ev = tmp_path / "h.toml"
    ev.write_text(
        (Path(__file__).parent.parent / "rulebooks/samples/demo-grade-b.toml").read_text(
            encoding="utf-8"
        ),
        encoding="utf-8",
    )
    r = run("gap", "--to", "甲等", "-r", "demo", str(ev), "--cost", str(costs), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["plan"]["cost"] == "9"


def test_cli_gap_exit_codes() -> None:
    r = run("gap", "--to", "甲等", "--sample", "downgraded")
    assert r.returncode == 0 and "cannot be reached" in r.stdout
    assert run("gap", "--to", "甲等", "--sample", "downgraded", "--strict").returncode == 5
    r = run("gap", "--to", "特等", "--sample", "grade-b")
    assert r.returncode == 2 and "unknown grade" in r.stderr
    assert run("gap", "--sample", "grade-b").returncode == 2  # --to is required
