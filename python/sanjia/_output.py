"""Writing reports and batch results to files (``Report.write``, ``BatchResult.write``).

Excel workbooks are written in Rust; Parquet and CSV through pyarrow; HTML by
:mod:`sanjia.html`. CSV files are UTF-8 with a byte-order mark, so Excel shows Chinese text
correctly when it opens them (pandas, polars and pyarrow read them as usual).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sanjia._sanjia import BatchResult, Report

#: The formats ``write`` knows, and the file extensions that choose them.
FORMATS = ("xlsx", "html", "json", "txt", "parquet", "csv")
_EXTENSIONS = {
    ".xlsx": "xlsx",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".txt": "txt",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
}
_BOM = b"\xef\xbb\xbf"


def output_format(path: str | os.PathLike[str], format: str | None = None) -> str:
    """The format to write: ``format`` if given, else the one the file's extension names."""
    if format is not None:
        fmt = format.lower().lstrip(".")
        if fmt == "htm":
            fmt = "html"
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
        return fmt
    ext = Path(os.fspath(path)).suffix.lower()
    try:
        return _EXTENSIONS[ext]
    except KeyError:
        raise ValueError(
            f"cannot tell the format of {os.fspath(path)!r} from its extension: give format= "
            f"(one of {', '.join(FORMATS)}) or end the name in .xlsx, .html, .json, .txt, "
            ".parquet or .csv"
        ) from None


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text (newlines as written)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def write_csv(table: Any, path: str | os.PathLike[str], *, bom: bool = True) -> None:
    """Write a pyarrow table as CSV in UTF-8 (with a byte-order mark for Excel)."""
    import pyarrow.csv as pacsv

    with open(path, "wb") as f:
        if bom:
            f.write(_BOM)
        pacsv.write_csv(table, f)


def write_parquet(table: Any, path: str | os.PathLike[str]) -> None:
    """Write a pyarrow table as Parquet."""
    import pyarrow.parquet as pq

    pq.write_table(table, os.fspath(path))


def write_report(report: Report, path: str | os.PathLike[str], format: str | None = None) -> None:
    """Write one hospital's report; see ``Report.write``."""
    fmt = output_format(path, format)
    if fmt == "xlsx":
        report._write_xlsx(os.fspath(path))
    elif fmt == "html":
        write_text(path, report.to_html())
    elif fmt == "json":
        write_text(path, report.to_json(indent=2) + "\n")
    elif fmt == "txt":
        write_text(path, report.explain())
    elif fmt == "parquet":
        write_parquet(report.to_arrow(), path)
    else:
        write_csv(report.to_arrow(), path)


def write_batch(
    result: BatchResult,
    path: str | os.PathLike[str],
    format: str | None = None,
    table: str = "summary",
) -> None:
    """Write a batch's results; see ``BatchResult.write``."""
    if table not in ("summary", "nodes"):
        raise ValueError(f"table is 'summary' or 'nodes', not {table!r}")
    fmt = output_format(path, format)
    if fmt == "xlsx":
        result._write_xlsx(os.fspath(path))
    elif fmt == "html":
        write_text(path, result.to_html())
    elif fmt == "json":
        rows = (result.summary() if table == "summary" else result.nodes()).to_pylist()
        write_text(path, json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif fmt == "txt":
        lines = []
        for r in result.summary().to_pylist():
            total = "–" if r["total"] is None else f"{r['total']:g}"
            line = f"{r['hospital_id']}\t{r['status']}\t{total}"
            if r["error"]:
                line += f"\t{r['error']}"
            lines.append(line)
        write_text(path, "\n".join(lines) + "\n")
    else:
        data = result.summary() if table == "summary" else result.nodes()
        if fmt == "parquet":
            write_parquet(data, path)
        else:
            write_csv(data, path)
