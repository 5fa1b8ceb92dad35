"""Accepting tables from pyarrow, pandas and polars (Arrow PyCapsule interface)."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class ArrowStreamExportable(Protocol):
    """Anything exporting an Arrow C stream (pyarrow Table / RecordBatchReader, polars
    DataFrame, pandas >= 2.2 DataFrame, ...)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...


TableLike = ArrowStreamExportable | Any


def arrow_table(data: TableLike) -> Any:
    """A pyarrow.Table from a pyarrow, pandas or polars table, with clear messages otherwise."""
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data
    module = type(data).__module__.split(".")[0]
    name = type(data).__name__
    if module == "polars" and name == "LazyFrame":
        raise TypeError(
            "a polars LazyFrame has no data yet: call .collect() and pass the DataFrame"
        )
    if module == "pandas" and name == "DataFrame":
        return pa.Table.from_pandas(data, preserve_index=False)
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if hasattr(data, "__arrow_c_stream__"):
        return pa.table(data)
    raise TypeError(
        f"expected a table (pyarrow, pandas or polars) or a list of evidence, not {module}.{name}"
    )
