"""Scoring a PySpark DataFrame of long-format evidence (a recipe over ``mapInArrow``).

The frame is repartitioned by ``hospital_id`` so that each hospital's rows meet in one
partition; each partition's Arrow batches are scored with :func:`sanjia.score_batch` on the
executor, and the per-hospital summary comes back as a Spark DataFrame. The rulebook travels
to the executors by pickling.

    from pyspark.sql import SparkSession
    import sanjia.spark

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    df = spark.read.parquet("evidence/")          # hospital_id, criterion_id, period, value, ...
    summary = sanjia.spark.score(df, "my-province.toml")
    summary.show()

Set ``PYSPARK_PYTHON`` to the interpreter that has sanjia installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from sanjia import Rulebook, RulebookLike, as_rulebook, score_batch
from sanjia.dask import _EMPTY_COLUMNS

__all__ = ["score", "summary_schema"]


def summary_schema(rulebook: Rulebook) -> pa.Schema:
    """The Arrow schema of the per-hospital summary."""
    empty = pa.table({k: pa.array([], t) for k, t in _EMPTY_COLUMNS.items()})
    return score_batch(rulebook, empty).summary().schema


def score(df: Any, rulebook: RulebookLike, *, n_threads: int | None = 1) -> Any:
    """A Spark DataFrame with one row per hospital (the batch summary's columns)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    rb = as_rulebook(rulebook)
    schema = summary_schema(rb)

    def score_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        parts = list(batches)
        if not parts or sum(b.num_rows for b in parts) == 0:
            return
        table = pa.Table.from_batches(parts)
        summary = score_batch(rb, table, n_threads=n_threads).summary()
        yield from summary.cast(schema).to_batches()

    return df.repartition("hospital_id").mapInArrow(score_partition, from_arrow_schema(schema))
