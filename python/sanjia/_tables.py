"""Accepting tables from pyarrow, pandas and polars (Arrow PyCapsule interface), and reading
long-format evidence tables from CSV, Parquet and Arrow files and from workbook sheets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Protocol, TypeAlias, runtime_checkable


@runtime_checkable
class ArrowStreamExportable(Protocol):
    """Anything exporting an Arrow C stream (pyarrow Table / RecordBatchReader, polars
    DataFrame, pandas >= 2.2 DataFrame, ...)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object: ...


@runtime_checkable
class ArrowArrayExportable(Protocol):
    """Anything exporting one Arrow C array with its schema (a pyarrow RecordBatch, ...)."""

    def __arrow_c_array__(
        self, requested_schema: object | None = None
    ) -> tuple[object, object]: ...


#: What table-taking functions accept: a pyarrow Table, RecordBatch or RecordBatchReader, a
#: pandas DataFrame, a polars DataFrame (a LazyFrame must be ``.collect()``-ed first), or any
#: object with ``__arrow_c_stream__``.
TableLike: TypeAlias = ArrowStreamExportable | ArrowArrayExportable | Any

#: File extensions read as long-format evidence tables.
TABLE_EXTENSIONS = (".csv", ".tsv", ".parquet", ".pq", ".arrow", ".feather", ".ipc")

#: Workbook extensions: a sheet of one is read as a table by :func:`read_sheet_table`.
WORKBOOK_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")

#: Columns of a long-format evidence table read as text (ids, periods and levels).
TEXT_COLUMNS = ("hospital_id", "criterion_id", "period", "level")
#: Columns read as numbers.
NUMBER_COLUMNS = ("value", "numerator", "denominator")


def is_table_path(path: str | os.PathLike[str]) -> bool:
    """Whether a file name ends in an evidence-table extension (CSV, Parquet, Arrow IPC)."""
    return Path(os.fspath(path)).suffix.lower() in TABLE_EXTENSIONS


def read_sheet_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    text: tuple[str, ...] | list[str] = (),
    numbers: tuple[str, ...] | list[str] = (),
) -> Any:
    """Read the table on one sheet of a workbook (.xlsx, .xlsm, .xls, .ods; the first sheet
    unless ``sheet`` names one) into a pyarrow Table.

    The header is the first row naming a column of ``text`` or ``numbers`` (title lines
    above it are skipped), else the first non-blank row. Columns in ``text`` are read as text
    (a number cell ``1001`` becomes ``"1001"``), columns in ``numbers`` as numbers (text that
    is not a number is an error naming the cell), other columns as numbers when every filled
    cell is a number, else as text. Dates become ``YYYY-MM-DD`` text; blank rows are left
    out. A problem raises ``ValueError`` naming the file, sheet and cell.
    """
    from sanjia import _sanjia

    table, _, _ = _sanjia._read_sheet_table(os.fspath(path), sheet, list(text), list(numbers))
    return table


def read_table(
    path: str | os.PathLike[str], *, encoding: str | None = None, sheet: str | None = None
) -> Any:
    """Read a long-format evidence table (one row per hospital, criterion and period) into a
    pyarrow Table: CSV or TSV (UTF-8, with or without the byte-order mark Excel writes, or
    the ``encoding`` given, e.g. ``"gb18030"``), Parquet, Arrow IPC / Feather, or a sheet of
    a workbook (the first, or ``sheet``; see :func:`read_sheet_table`).

    Ids, periods and levels are read as text (``"2024"`` and ``"001"`` stay as written),
    values, numerators and denominators as numbers.
    """
    import pyarrow as pa

    p = os.fspath(path)
    ext = Path(p).suffix.lower()
    if ext in WORKBOOK_EXTENSIONS:
        return read_sheet_table(p, sheet=sheet, text=TEXT_COLUMNS, numbers=NUMBER_COLUMNS)
    if ext in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        return pq.read_table(p)
    if ext in (".arrow", ".feather", ".ipc"):
        import pyarrow.feather as feather

        return feather.read_table(p)
    if ext not in (".csv", ".tsv"):
        raise ValueError(
            f"{p}: an evidence table ends in {', '.join(TABLE_EXTENSIONS + WORKBOOK_EXTENSIONS)}"
        )
    import pyarrow.csv as pacsv

    enc = (encoding or "utf-8").lower().replace("_", "-")
    if enc in ("utf-8-sig", "utf8-sig", "utf8"):
        enc = "utf-8"  # Arrow skips a UTF-8 byte-order mark itself
    types: dict[str, Any] = {c: pa.string() for c in TEXT_COLUMNS}
    types.update({c: pa.float64() for c in NUMBER_COLUMNS})
    return pacsv.read_csv(
        p,
        read_options=pacsv.ReadOptions(encoding=enc),
        parse_options=pacsv.ParseOptions(delimiter="\t" if ext == ".tsv" else ","),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )


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
