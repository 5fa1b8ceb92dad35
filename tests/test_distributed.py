"""Scoring on Dask (a real LocalCluster with worker processes) and, when installed, PySpark."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pyarrow as pa
import pytest
import sanjia

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benches"))
from synthetic import evidence, rulebook


@pytest.fixture(scope="module")
def data() -> tuple[sanjia.Rulebook, pa.Table]:
    spec = rulebook(60, 12)
    return sanjia.Rulebook.from_toml(spec.toml), evidence(spec, 40, seed=3)


def _rows(t: pa.Table) -> list[dict[str, object]]:
    return sorted(t.to_pylist(), key=lambda r: str(r["hospital_id"]))


def test_rulebook_and_evidence_pickle(data: tuple[sanjia.Rulebook, pa.Table]) -> None:
    import pickle

    rb, _ = data
    again = pickle.loads(pickle.dumps(rb))
    assert again.to_json() == rb.to_json()
    ev = sanjia.Evidence.sample("demo")
    assert pickle.loads(pickle.dumps(ev)).to_dict() == ev.to_dict()


def test_dask_equals_single_machine(data: tuple[sanjia.Rulebook, pa.Table]) -> None:
    dd = pytest.importorskip("dask.dataframe")
    distributed = pytest.importorskip("distributed")
    import sanjia.dask

    rb, table = data
    expected = _rows(sanjia.score_batch(rb, table).summary())
    # Rows of a hospital spread over partitions on purpose: the shuffle brings them together.
    pdf = table.to_pandas().sample(frac=1.0, random_state=1)
    ddf = dd.from_pandas(pdf, npartitions=5)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
        ) as cluster,
        distributed.Client(cluster),
    ):
        got = sanjia.dask.score(ddf, rb).compute()
    got_rows = _rows(pa.Table.from_pandas(got, preserve_index=False))
    assert len(got_rows) == len(expected) == 40
    for a, b in zip(got_rows, expected, strict=True):
        assert a["hospital_id"] == b["hospital_id"]
        assert a["grade"] == b["grade"]
        assert a["total"] == pytest.approx(b["total"])


@pytest.mark.spark
def test_spark_equals_single_machine(data: tuple[sanjia.Rulebook, pa.Table]) -> None:
    pytest.importorskip("pyspark")
    import sanjia.spark
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    rb, table = data
    expected = _rows(sanjia.score_batch(rb, table).summary())
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    try:
        df = spark.createDataFrame(table.to_pandas())
        got = sanjia.spark.score(df, rb).toPandas()
    finally:
        spark.stop()
    got_rows = _rows(pa.Table.from_pandas(got, preserve_index=False))
    assert [r["hospital_id"] for r in got_rows] == [r["hospital_id"] for r in expected]
    assert [r["grade"] for r in got_rows] == [r["grade"] for r in expected]
