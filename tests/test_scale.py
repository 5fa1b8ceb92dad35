"""Batch scoring at scale from Python: streaming with bounded memory, threads, progress."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pytest
import sanjia

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches"))
from synthetic import evidence, rulebook


@pytest.fixture(scope="module")
def data() -> tuple[sanjia.Rulebook, pa.Table]:
    spec = rulebook(60, 12)
    return sanjia.Rulebook.from_toml(spec.toml), evidence(spec, 30, seed=5)


def _summary(result: sanjia.BatchResult) -> list[dict[str, object]]:
    return result.summary().to_pylist()


def test_a_stream_gives_the_table_result(data: tuple[sanjia.Rulebook, pa.Table]) -> None:
    rb, table = data
    expected = _summary(sanjia.score_batch(rb, table))
    assert len(expected) == 30
    for size in (1, 7, 500, table.num_rows):
        reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(size))
        got = sanjia.score_batch(rb, reader, stream=True, n_threads=2)
        assert _summary(got) == expected, size
    # A table given with stream=True is read batch by batch too.
    assert _summary(sanjia.score_batch(rb, table, stream=True)) == expected


def test_a_streamed_result_has_no_full_reports(data: tuple[sanjia.Rulebook, pa.Table]) -> None:
    rb, table = data
    got = sanjia.score_batch(rb, table, stream=True)
    assert got.n_scored == 30
    with pytest.raises(sanjia.EvidenceError, match="scored from a stream"):
        got[0]
    # Without streaming, the full report of any hospital is rescored on demand.
    whole = sanjia.score_batch(rb, table)
    first = whole[0]
    assert first.total == whole.summary().column("total")[0].as_py()


def test_a_hospital_split_apart_in_a_stream_is_an_error_for_both(
    data: tuple[sanjia.Rulebook, pa.Table],
) -> None:
    rb, table = data
    ids = table.column("hospital_id").to_pylist()
    first = ids[0]
    n = ids.count(first)
    # Move the first hospital's last row to the end.
    order = [*range(n - 1), *range(n, table.num_rows), n - 1]
    moved = table.take(order)
    got = sanjia.score_batch(rb, moved, stream=True)
    rows = got.summary().to_pylist()
    assert len(rows) == 31
    bad = [r for r in rows if r["hospital_id"] == first]
    assert len(bad) == 2 and all(r["status"] == "error" for r in bad)
    assert all("not together in the stream" in str(r["error"]) for r in bad)
    assert all(f"start again at row {table.num_rows - 1}" in str(r["error"]) for r in bad)
    # Scoring the table as a whole groups the rows wherever they are.
    assert _summary(sanjia.score_batch(rb, moved)) == _summary(sanjia.score_batch(rb, table))


def test_threads_and_progress(data: tuple[sanjia.Rulebook, pa.Table]) -> None:
    rb, table = data
    seen: list[tuple[int, int]] = []
    one = sanjia.score_batch(rb, table, n_threads=1)
    two = sanjia.score_batch(rb, table, n_threads=2, progress=lambda d, t: seen.append((d, t)))
    assert _summary(one) == _summary(two)
    assert seen and seen[-1] == (30, 30)
