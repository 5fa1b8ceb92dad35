"""Reliability from Python: the bad-input corpus, no panic reaching Python, the audit fields,
and hypothesis properties (a better level never lowers a score or a grade; the total stays in
[0, max]; results do not depend on row order, batch split or thread count; a rulebook and a
report round-trip)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sanjia
from conftest import evidence_rows
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad-input"
CASES: list[dict[str, Any]] = tomllib.loads((BAD / "expected.toml").read_text("utf-8"))["case"]
PROPS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# ----------------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_input_gives_its_expected_error(case: dict[str, Any]) -> None:
    path = BAD / case["file"]

    def load() -> None:
        if case["kind"] == "rulebook":
            sanjia.Rulebook.load(path)
            return
        ev = sanjia.Evidence.load(path)
        if "score" in case:
            sanjia.score(sanjia.Rulebook.builtin(case["score"]), ev)

    if "error" not in case:
        if case["kind"] == "rulebook":
            load()
        else:
            sanjia.Evidence.load(path)
        return
    error = sanjia.RulebookError if case["kind"] == "rulebook" else sanjia.EvidenceError
    with pytest.raises(error) as info:
        load()
    assert case["error"] in str(info.value)
    assert info.value.problems, "every error lists its problems"


def test_the_corpus_is_complete() -> None:
    listed = {c["file"] for c in CASES}
    on_disk = {p.name for p in BAD.iterdir()} - {"expected.toml"}
    assert on_disk == listed


# -------------------------------------------------------------------------------- panics


def test_a_panic_becomes_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    hook = sanjia._sanjia._panic_for_tests
    # Inert outside tests: no panic, a plain RuntimeError saying so.
    monkeypatch.delenv("SANJIA_TEST_PANIC", raising=False)
    with pytest.raises(RuntimeError, match="test hook") as info:
        hook("never")
    assert not isinstance(info.value, sanjia.InternalError)
    monkeypatch.setenv("SANJIA_TEST_PANIC", "1")
    with pytest.raises(sanjia.InternalError, match=r"bug in sanjia .*: the message 例") as err:
        hook("the message 例")
    # Not a SanjiaError (a ValueError about the input): a bug, catchable as an Exception.
    assert not isinstance(err.value, sanjia.SanjiaError)
    assert isinstance(err.value, RuntimeError)
    # The module still works afterwards.
    assert sanjia.score("demo", sanjia.Evidence.sample("demo")).grade == "甲等"


# --------------------------------------------------------------------------------- audit

AUDIT_KEYS = {
    "rulebook_id",
    "rulebook_edition",
    "rulebook_version",
    "rulebook_sha256",
    "evidence_sha256",
    "sanjia_version",
}


def test_every_output_carries_the_audit(demo: sanjia.Rulebook) -> None:
    report = sanjia.score(demo, sanjia.Evidence.sample("demo"))
    audit = report.audit
    assert set(audit) == AUDIT_KEYS
    assert audit["rulebook_id"] == "demo" and audit["sanjia_version"] == sanjia.__version__
    assert len(audit["rulebook_sha256"]) == 64 and len(audit["evidence_sha256"]) == 64
    assert report.to_dict()["audit"] == audit
    assert json.loads(report.to_json())["audit"] == audit
    assert audit["rulebook_sha256"] in report.explain().splitlines()[-1]
    meta = report.to_arrow().schema.metadata
    assert meta[b"sanjia.rulebook_sha256"].decode() == audit["rulebook_sha256"]
    assert meta[b"sanjia.evidence_sha256"].decode() == audit["evidence_sha256"]
    batch = sanjia.score_batch(demo, [sanjia.Evidence.sample("demo")])
    summary = batch.summary()
    assert summary.column("evidence_sha256").to_pylist() == [audit["evidence_sha256"]]
    assert summary.schema.metadata[b"sanjia.rulebook_sha256"].decode() == audit["rulebook_sha256"]


def test_the_evidence_hash_ignores_the_form(demo: sanjia.Rulebook) -> None:
    ev = sanjia.Evidence.sample("demo")
    h = sanjia.score(demo, ev).audit["evidence_sha256"]
    assert sanjia.score(demo, sanjia.Evidence.from_dict(ev.to_dict())).audit["evidence_sha256"] == h
    rows = evidence_rows(ev)
    rows.reverse()
    batch = sanjia.score_batch(demo, pa.Table.from_pylist(rows))
    assert batch.summary().column("evidence_sha256").to_pylist() == [h]


# ---------------------------------------------------------------------------- properties

LEVELS = ["D", "C", "B", "A"]


def _articles(rb: sanjia.Rulebook) -> list[str]:
    return [n["id"] for n in rb.node_rows() if n["kind"] == "article"]


def _grade_rank(rb: sanjia.Rulebook, r: sanjia.Report) -> int:
    return 0 if r.grade is None else len(rb.grades) - rb.grades.index(r.grade)


@PROPS
@given(data=st.data())
def test_a_better_level_never_lowers_the_total_or_the_grade(
    demo: sanjia.Rulebook, data: st.DataObject
) -> None:
    base = sanjia.Evidence.sample("demo").to_dict()
    ids = _articles(demo)
    levels = data.draw(st.lists(st.sampled_from(LEVELS), min_size=len(ids), max_size=len(ids)))
    base["articles"] = dict(zip(ids, levels, strict=True))
    k = data.draw(st.integers(0, len(ids) - 1))
    if levels[k] == "A":
        return
    up = dict(base, articles=dict(base["articles"]))
    up["articles"][ids[k]] = data.draw(st.sampled_from(LEVELS[LEVELS.index(levels[k]) + 1 :]))
    before, after = sanjia.score(demo, base), sanjia.score(demo, up)
    assert (after.total or 0) >= (before.total or 0)
    assert _grade_rank(demo, after) >= _grade_rank(demo, before)
    for r in (before, after):
        assert r.total is not None and 0 <= r.total <= r.max_total


@PROPS
@given(
    seed=st.randoms(use_true_random=False), n_batches=st.integers(1, 6), threads=st.integers(1, 3)
)
def test_results_ignore_row_order_batch_split_and_threads(
    demo: sanjia.Rulebook, samples: list[sanjia.Evidence], seed: Any, n_batches: int, threads: int
) -> None:
    rows = [r for ev in samples for r in evidence_rows(ev)]
    expected = sorted(
        (r.hospital, r.total, r.grade, r.audit["evidence_sha256"])
        for r in (sanjia.score(demo, ev) for ev in samples)
    )
    seed.shuffle(rows)
    table = pa.Table.from_pylist(rows)
    size = max(1, len(rows) // n_batches)
    split = pa.Table.from_batches(table.to_batches(max_chunksize=size))
    for t in (table, split):
        result = sanjia.score_batch(demo, t, n_threads=threads)
        got = sorted(
            (r.hospital, r.total, r.grade, r.audit["evidence_sha256"])
            for r in result.reports()
            if r is not None
        )
        assert got == expected
    listed = sanjia.score_batch(demo, list(reversed(samples)), n_threads=threads)
    got = sorted(
        (r.hospital, r.total, r.grade, r.audit["evidence_sha256"])
        for r in listed.reports()
        if r is not None
    )
    assert got == expected


@pytest.mark.parametrize("name", sanjia.Rulebook.builtin_names())
def test_a_rulebook_round_trips(name: str) -> None:
    rb = sanjia.Rulebook.builtin(name)
    for text, load in (
        (rb.to_toml(), sanjia.Rulebook.from_toml),
        (rb.to_json(), sanjia.Rulebook.from_json),
    ):
        back = load(text)
        assert back.to_toml() == rb.to_toml()
        assert back.to_json() == rb.to_json()
        for sample in sanjia.Evidence.sample_names(name):
            ev = sanjia.Evidence.sample(name, sample)
            a, b = sanjia.score(rb, ev), sanjia.score(back, ev)
            assert a.audit == b.audit
            assert (a.total, a.grade, a.status) == (b.total, b.grade, b.status)


def test_a_report_round_trips_through_json(samples: list[sanjia.Evidence]) -> None:
    for ev in samples:
        report = sanjia.score("demo", ev)
        text = report.to_json()
        assert json.loads(text) == report.to_dict()
        assert sanjia.score("demo", ev).to_json() == text  # stable
        assert json.loads(report.to_json(indent=2)) == json.loads(text)
