"""Scoring a Dask DataFrame of long-format evidence on a cluster.

Each partition is scored with :func:`sanjia.score_batch` on the worker (GIL released, Rust
threads); the rulebook travels to the workers by pickling (it is rebuilt from its source).
Every hospital's rows must be in one partition: by default the frame is shuffled on
``hospital_id`` first; pass ``shuffle=False`` when it is already partitioned by hospital (e.g.
read from a Parquet dataset partitioned by hospital). Results equal single-machine results.

    import dask.dataframe as dd
    import sanjia.dask

    ddf = dd.read_parquet("evidence/")           # hospital_id, criterion_id, period, value, ...
    summary = sanjia.dask.score(ddf, "my-province.toml").compute()
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from sanjia import Rulebook, RulebookLike, as_rulebook, score_batch

__all__ = ["score", "summary_meta"]

_EMPTY_COLUMNS = {
    "hospital_id": pa.string(),
    "criterion_id": pa.string(),
    "period": pa.string(),
    "value": pa.float64(),
    "numerator": pa.float64(),
    "denominator": pa.float64(),
    "level": pa.string(),
}


def summary_meta(rulebook: Rulebook) -> Any:
    """The (empty) pandas frame a partition's summary has: Dask's ``meta``."""
    empty = pa.table({k: pa.array([], t) for k, t in _EMPTY_COLUMNS.items()})
    return score_batch(rulebook, empty).to_pandas()


def _score_partition(pdf: Any, rulebook: Rulebook, n_threads: int | None) -> Any:
    # Columns absent from this frame are dropped from the empty template too.
    if len(pdf) == 0:
        return summary_meta(rulebook)
    return score_batch(rulebook, pdf, n_threads=n_threads).to_pandas()


def score(
    ddf: Any,
    rulebook: RulebookLike,
    *,
    shuffle: bool = True,
    n_threads: int | None = 1,
) -> Any:
    """A lazy Dask DataFrame of per-hospital results (the batch summary's columns).

    ``n_threads`` is per partition task (default 1: let Dask's workers give the parallelism,
    without oversubscribing cores).
    """
    rb = as_rulebook(rulebook)
    if "hospital_id" not in ddf.columns:
        raise ValueError("the frame needs a hospital_id column")
    if shuffle:
        ddf = ddf.shuffle(on="hospital_id")
    return ddf.map_partitions(_score_partition, rb, n_threads, meta=summary_meta(rb))
