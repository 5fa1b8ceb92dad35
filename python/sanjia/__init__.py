"""sanjia: score hospital accreditation reviews exactly, with a reason for every point.

Load a rulebook once, score hospitals' evidence against it, read the report::

    import sanjia

    rulebook = sanjia.Rulebook.builtin("demo")
    report = sanjia.score(rulebook, sanjia.Evidence.sample("demo"))
    print(report.explain())
    report.to_pandas()            # one row per node
    report.deductions             # points lost, largest first, with reasons

Many hospitals at once (a list of Evidence, or a long table with columns hospital_id,
criterion_id, period, value, numerator, denominator, level, as pyarrow / pandas / polars)::

    result = sanjia.score_batch(rulebook, table, progress=True)
    result.to_pandas()            # one row per hospital

Excel and files: ``sanjia.write_template(rulebook, "evidence.xlsx")`` writes a fill-in
workbook; ``sanjia.score(rulebook, "evidence.xlsx")`` reads it back (errors name the sheet,
row and column); ``report.write("review.xlsx" | ".html" | ".parquet" | ".csv" | ".json")``;
``report.to_html()``; ``report.plot()`` (matplotlib); ``sanjia.read_table("evidence.csv")``
reads a long-format evidence table for ``score_batch``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sanjia import exams
from sanjia import exams as _exams
from sanjia._sanjia import (
    BatchResult,
    Comparison,
    Evidence,
    EvidenceError,
    ExamsError,
    Gap,
    InternalError,
    Report,
    Rulebook,
    RulebookError,
    SanjiaError,
    WhatIf,
    __version__,
    _score_evidences,
    _score_table,
    compare,
)
from sanjia._sanjia import score as _score
from sanjia._tables import (
    ArrowArrayExportable,
    ArrowStreamExportable,
    TableLike,
    arrow_table,
    read_sheet_table,
    read_table,
)

__all__ = [
    "ArrowArrayExportable",
    "ArrowStreamExportable",
    "BatchResult",
    "Comparison",
    "Evidence",
    "EvidenceError",
    "ExamsError",
    "Gap",
    "InternalError",
    "Report",
    "Rulebook",
    "RulebookError",
    "SanjiaError",
    "TableLike",
    "WhatIf",
    "__version__",
    "as_evidence",
    "as_rulebook",
    "compare",
    "exams",
    "read_sheet_table",
    "read_table",
    "score",
    "score_batch",
    "write_template",
]

RulebookLike = Rulebook | str | os.PathLike[str]
EvidenceLike = Evidence | Mapping[str, Any] | str | os.PathLike[str]
Progress = bool | Callable[[int, int], object] | None


def as_rulebook(rulebook: RulebookLike) -> Rulebook:
    """A Rulebook from a Rulebook, a built-in name or a file path."""
    if isinstance(rulebook, Rulebook):
        return rulebook
    if isinstance(rulebook, str) and rulebook in Rulebook.builtin_names():
        return Rulebook.builtin(rulebook)
    if isinstance(rulebook, (str, os.PathLike)):
        return Rulebook.load(os.fspath(rulebook))
    raise TypeError(
        f"expected a sanjia.Rulebook, a built-in name or a path, not {type(rulebook).__name__}"
    )


def as_evidence(evidence: EvidenceLike) -> Evidence:
    """Evidence from an Evidence, a dict or a file path (.toml, .json, or an evidence
    workbook .xlsx / .xls / .ods)."""
    if isinstance(evidence, Evidence):
        return evidence
    if isinstance(evidence, Mapping):
        return Evidence.from_dict(evidence)
    if isinstance(evidence, (str, os.PathLike)):
        return Evidence.load(os.fspath(evidence))
    raise TypeError(f"expected a sanjia.Evidence, a dict or a path, not {type(evidence).__name__}")


def score(
    rulebook: RulebookLike,
    evidence: EvidenceLike,
    *,
    roster: TableLike | None = None,
    sittings: TableLike | None = None,
    exams: TableLike | None = None,
    exemptions: TableLike | None = None,
    sessions: TableLike | None = None,
    records: _exams.Records | None = None,
) -> Report:
    """Score one hospital's evidence against a rulebook.

    ``rulebook`` may be a Rulebook, a built-in name or a path; ``evidence`` an Evidence, a dict
    or a path. Raises ``EvidenceError`` (naming the hospital, place and criterion) when the
    evidence cannot be scored.

    Staff records (``roster`` and ``sittings``, optional ``exams`` and ``exemptions``; training
    ``sessions``; or ``records`` from ``sanjia.exams.records``) feed the criteria that take
    their values from them (``from = { exams = ... }`` / ``{ training = ... }`` in the
    rulebook), evaluated with the rulebook's ``[exams]`` / ``[training]`` policies. Such a
    criterion must then not also have a value in the evidence (``EvidenceError``).
    """
    rb = as_rulebook(rulebook)
    recs = _exams._records_arg(
        rb,
        records,
        {
            "roster": roster,
            "sittings": sittings,
            "exams": exams,
            "exemptions": exemptions,
            "sessions": sessions,
        },
    )
    return _score(rb, as_evidence(evidence), recs)


def _progress_callback(
    progress: Progress, total: int | None
) -> Callable[[int, int], object] | None:
    if progress is None or progress is False:
        return None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="hospital", desc="scoring")

        def update(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        return update
    if callable(progress):
        return progress
    raise TypeError("progress is True, False, None or a callable(done, total)")


def score_batch(
    rulebook: RulebookLike,
    evidences_or_table: Sequence[EvidenceLike] | TableLike,
    *,
    n_threads: int | None = None,
    progress: Progress = None,
    roster: TableLike | None = None,
    sittings: TableLike | None = None,
    exams: TableLike | None = None,
    exemptions: TableLike | None = None,
    sessions: TableLike | None = None,
    records: _exams.Records | None = None,
    stream: bool = False,
) -> BatchResult:
    """Score many hospitals in parallel (GIL released, Ctrl-C stops cleanly).

    ``evidences_or_table`` is a list of Evidence / dicts / paths, or a long-format table
    (pyarrow Table or RecordBatchReader, pandas or polars DataFrame) with columns
    ``hospital_id, criterion_id`` and any of ``period, value, numerator, denominator, level``.
    A hospital whose evidence is invalid gets its error in the result; every other hospital
    is scored. ``progress=True`` shows a tqdm bar; a callable gets ``(done, total)``.

    Staff records (as for :func:`score`; province-wide tables with a ``hospital_id`` column)
    are evaluated once and filtered to each hospital.

    The result keeps one summary row per hospital and gives any hospital's full report on
    demand (``result[i]``, rescored from the input it keeps a reference to). With
    ``stream=True`` a table or ``RecordBatchReader`` is consumed batch by batch and not kept:
    memory stays bounded whatever the number of hospitals, each hospital's rows must be
    together (sorted or grouped by ``hospital_id``), and full reports are not available.
    """
    rb = as_rulebook(rulebook)
    recs = _exams._records_arg(
        rb,
        records,
        {
            "roster": roster,
            "sittings": sittings,
            "exams": exams,
            "exemptions": exemptions,
            "sessions": sessions,
        },
    )
    if isinstance(evidences_or_table, (list, tuple)):
        evs = [as_evidence(e) for e in evidences_or_table]
        return _score_evidences(rb, evs, n_threads, _progress_callback(progress, len(evs)), recs)
    if stream and hasattr(evidences_or_table, "__arrow_c_stream__"):
        source = evidences_or_table
    else:
        source = arrow_table(evidences_or_table)
    return _score_table(rb, source, n_threads, _progress_callback(progress, None), recs, stream)


def write_template(
    rulebook: RulebookLike,
    path: str | os.PathLike[str],
    *,
    periods: Sequence[str] | None = None,
    hospital: str | None = None,
    name: str | None = None,
    evidence: EvidenceLike | None = None,
) -> None:
    """Write the fill-in evidence workbook (.xlsx) for a rulebook.

    A readme sheet (hospital id and name to fill, how to fill in) and one sheet per part of
    the rulebook: a row per criterion with its id, title, kind, responsible department, flags
    and notes (unit, direction, scoring, numerator and denominator), an answer column with
    drop-down lists for gates, articles and elements, and a value / numerator / denominator
    block per period for indicators. ``periods`` defaults to as many years before the current
    one as the rulebook's longest trend needs. With ``evidence`` the workbook comes filled
    in (e.g. last round's answers for the departments to update). Read it back with
    ``sanjia.Evidence.load(path)`` or ``sanjia.score(rulebook, path)``.
    """
    rb = as_rulebook(rulebook)
    ev = None if evidence is None else as_evidence(evidence)
    rb.write_template(
        os.fspath(path),
        periods=None if periods is None else [str(p) for p in periods],
        hospital=hospital,
        name=name,
        evidence=ev,
    )
