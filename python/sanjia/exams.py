"""Staff training and exam checks (三基 考核): participation (参考率) and pass rates (合格率),
the people behind the gaps, and training / drill minimums.

Evaluate a roster and its exam sittings (pyarrow, pandas or polars tables)::

    from sanjia import exams

    result = exams.evaluate(roster, sittings, exams=exam_table, by=("exam_id", "department"))
    result.summary            # pyarrow.Table: expected, sat, absent, exempt, rates, met flags
    result.people             # staff absent without an accepted exemption, or failed
    result.summary_by("category")   # regroup without evaluating again
    result.to_pandas()

The decisions are exact (counts compared with the policy's targets: 95/100 meets ">= 95%",
94/99 does not); the numbers that decide (pass mark, targets, accepted exemption reasons,
make-up counting) come from the :class:`Policy` — by default the built-in
``rulebooks/policy/exams-default.toml``.

Training sessions and drills against minimums per period and department::

    checks = exams.training(sessions, requirements=[{"name": "drills", "kinds": ["应急演练"],
                                                     "period": "half_year", "min_sessions": 1}])
    checks.shortfalls

See ``docs/exams.md`` for the tables' columns, the policy file and the rulebook hook
(``from = { exams = "participation_rate", ... }``) that feeds these figures into
``sanjia.score``.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
import os
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanjia._sanjia import (
    ExamEvaluation,
    ExamsError,
    TrainingEvaluation,
    _exams_evaluate,
    _exams_records,
    _exams_training,
)
from sanjia._sanjia import ExamPolicy as Policy
from sanjia._sanjia import ExamRecords as Records
from sanjia._tables import TableLike, arrow_table

if TYPE_CHECKING:
    from sanjia._sanjia import Rulebook

__all__ = [
    "DIMENSIONS",
    "SUMMARY_COLUMNS",
    "ExamEvaluation",
    "ExamResult",
    "ExamsError",
    "Policy",
    "PolicyLike",
    "Records",
    "TrainingEvaluation",
    "TrainingResult",
    "as_policy",
    "evaluate",
    "format_rate",
    "records",
    "training",
]

#: The grouping dimensions of a summary (column names; short names ``hospital``, ``exam``,
#: ``kind`` are accepted too).
DIMENSIONS = ("hospital_id", "exam_id", "exam_kind", "department", "category")

#: The summary's columns after the grouping columns (``judged_passed`` and
#: ``judged_pass_rate`` follow: the rate the policy judges, per exam kind).
SUMMARY_COLUMNS = (
    "expected",
    "sat",
    "absent",
    "exempt",
    "participation_rate",
    "first_passed",
    "first_pass_rate",
    "final_passed",
    "final_pass_rate",
    "makeups",
    "participation_met",
    "pass_met",
)

_ALIASES = {
    "hospital_id": "hospital_id",
    "hospital": "hospital_id",
    "exam_id": "exam_id",
    "exam": "exam_id",
    "exam_kind": "exam_kind",
    "kind": "exam_kind",
    "department": "department",
    "category": "category",
}

#: Sittings columns that are never score components.
_NOT_COMPONENTS = ("staff_id", "exam_id", "attempt", "score", "session_id", "hospital_id")

PolicyLike = Policy | Mapping[str, Any] | str | os.PathLike[str] | None
Progress = bool | Callable[[int, int], object] | None
DateLike = _dt.date | str | None


def format_rate(value: float | None) -> str:
    """A rate as a percentage truncated to 0.01% (``95.00%``, ``94.94%`` for 94/99), never
    rounded up to a target (99.996% shows as ``99.99%``, not ``100.00%``); ``–`` for none.
    Whether a target is met is decided from the counts (``*_met`` columns), not from this."""
    if value is None:
        return "–"
    return f"{math.floor(value * 10000 + 1e-6) / 100:.2f}%"


def as_policy(policy: PolicyLike | Rulebook) -> Policy:
    """A :class:`Policy` from a Policy, a dict of its fields, TOML text, a ``.toml`` / ``.json``
    file, a Rulebook (its ``[exams]`` section) or None (the built-in policy)."""
    from sanjia._sanjia import Rulebook

    if policy is None:
        return Policy.builtin()
    if isinstance(policy, Policy):
        return policy
    if isinstance(policy, Rulebook):
        return Policy.from_rulebook(policy)
    if isinstance(policy, Mapping):
        return Policy.from_dict(dict(policy))
    if isinstance(policy, str) and ("=" in policy or "\n" in policy):
        return Policy.from_toml(policy)
    if isinstance(policy, (str, os.PathLike)):
        path = Path(os.fspath(policy))
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            return Policy.from_dict(json.loads(text))
        return Policy.from_toml(text)
    raise TypeError(
        "policy is a sanjia.exams.Policy, a dict, TOML text, a .toml/.json path or None, "
        f"not {type(policy).__name__}"
    )


def _table(data: TableLike, name: str) -> Any:
    try:
        return arrow_table(data)
    except TypeError as e:
        raise TypeError(f"{name}: {e}".replace(" or a list of evidence", "")) from None


def _dims(by: str | Sequence[str]) -> tuple[str, ...]:
    items = (by,) if isinstance(by, str) else tuple(by)
    out: list[str] = []
    for d in items:
        if not isinstance(d, str) or d.strip() not in _ALIASES:
            raise ExamsError(
                f"cannot group by {d!r}: use {', '.join(DIMENSIONS)} (or hospital, exam, kind)"
            )
        col = _ALIASES[d.strip()]
        if col not in out:
            out.append(col)
    return tuple(out)


def _date(d: DateLike, name: str) -> str | None:
    if d is None:
        return None
    if isinstance(d, _dt.datetime):
        return d.date().isoformat()
    if isinstance(d, _dt.date):
        return d.isoformat()
    if isinstance(d, str):
        return d
    raise TypeError(f"{name} is a datetime.date or a 'YYYY-MM-DD' string, not {type(d).__name__}")


def _progress(progress: Progress, unit: str) -> Callable[[int, int], object] | None:
    if progress is None or progress is False:
        return None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(unit=unit, desc="evaluating", unit_scale=True)

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


def _numeric(field: Any) -> bool:
    import pyarrow as pa

    t = field.type
    return bool(pa.types.is_integer(t) or pa.types.is_floating(t))


def _default_components(sittings: Any, policy: Policy) -> list[str] | None:
    """Component columns when the caller names none: those the policy names (decided in
    Rust), or — when the sittings have no ``score`` column and the policy names none —
    every other numeric column."""
    named = list(policy.required_components) + list(policy.component_weights)
    for o in policy.kinds.values():
        named += list(o.get("required_components", [])) + list(o.get("component_weights", {}))
    if named or "score" in sittings.column_names:
        return None
    return [f.name for f in sittings.schema if f.name not in _NOT_COMPONENTS and _numeric(f)]


class ExamResult:
    """The result of :func:`evaluate`.

    ``summary`` (grouped by ``by``), ``people``, ``exemptions`` and ``rejections`` are
    pyarrow Tables (built once, on first use); ``rows`` is the row accounting per input table
    (``input == used + rejected``); ``summary_by(*dims)`` regroups without evaluating again.
    """

    def __init__(self, evaluation: ExamEvaluation, by: Sequence[str]) -> None:
        self.evaluation = evaluation
        self.by = _dims(by)

    @functools.cached_property
    def summary(self) -> Any:
        """One row per group: the grouping columns, then ``expected, sat, absent, exempt,
        participation_rate, first_passed, first_pass_rate, final_passed, final_pass_rate,
        makeups, participation_met, pass_met, judged_passed, judged_pass_rate``. Rates are
        floats for display (null when the denominator is 0); the met flags are decided exactly
        from the counts."""
        return self.evaluation.summary(list(self.by))

    def summary_by(self, *dims: str | Sequence[str]) -> Any:
        """The summary grouped by other dimensions (no dimension: one row of totals)."""
        flat: list[str] = []
        for d in dims:
            flat.extend([d] if isinstance(d, str) else d)
        return self.evaluation.summary(list(_dims(flat)))

    @property
    def total(self) -> dict[str, Any]:
        """The totals over everything, as a dict of the summary columns."""
        row: dict[str, Any] = self.summary_by().to_pylist()[0]
        return row

    @functools.cached_property
    def people(self) -> Any:
        """Staff expected but absent without an accepted exemption, and staff who failed
        (by the rate the policy judges): staff_id, exam_id, exam_kind, hospital_id,
        department, category, problem (``absent`` / ``failed``), unaccepted_reason, sittings,
        first_passed, final_passed, session_id."""
        return self.evaluation.people()

    @functools.cached_property
    def exemptions(self) -> Any:
        """Every exemption on record with its reason, whether the policy accepts it, where it
        is recorded and what it did (excluded, counted_absent, sat_anyway, not_expected)."""
        return self.evaluation.exemptions()

    @functools.cached_property
    def rejections(self) -> Any:
        """Rejected rows (lenient mode): table, row (0-based), reason code, message."""
        return self.evaluation.rejections()

    @property
    def rows(self) -> dict[str, dict[str, int]]:
        """Row accounting per input table: ``{table: {"input", "used", "rejected"}}``."""
        return self.evaluation.rows()

    @property
    def participation_target(self) -> str:
        return self.evaluation.participation_target

    @property
    def pass_target(self) -> str:
        return self.evaluation.pass_target

    def measure(
        self,
        measure: str,
        *,
        hospital: str | None = None,
        exam_ids: Sequence[str] | None = None,
        exam_kinds: Sequence[str] | None = None,
        categories: Sequence[str] | None = None,
        departments: Sequence[str] | None = None,
    ) -> Fraction | int | None:
        """The exact figure a rulebook criterion would take (``from = { exams = measure,
        ... }``): a rate as a Fraction (None when its denominator is 0), or a count."""
        return self.evaluation.measure(
            measure,
            hospital=hospital,
            exam_ids=None if exam_ids is None else list(exam_ids),
            exam_kinds=None if exam_kinds is None else list(exam_kinds),
            categories=None if categories is None else list(categories),
            departments=None if departments is None else list(departments),
        )

    def plot(self, ax: Any = None, max_groups: int = 40) -> Any:
        """Participation and pass rates per group against the targets (matplotlib, the
        ``plot`` extra); returns the Figure. See :func:`sanjia.plot.plot_exams`."""
        from sanjia.plot import plot_exams

        return plot_exams(self, ax=ax, max_groups=max_groups)

    def to_pandas(self) -> Any:
        """The summary as a pandas DataFrame."""
        return self.summary.to_pandas()

    def to_polars(self) -> Any:
        """The summary as a polars DataFrame."""
        import polars as pl

        return pl.from_arrow(self.summary)

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        """The summary as an Arrow C stream (so ``pa.table(result)`` / ``pl.DataFrame(result)``
        work)."""
        return self.summary.__arrow_c_stream__(requested_schema)

    def __repr__(self) -> str:
        t = self.total
        return (
            f"<sanjia.exams.ExamResult by {', '.join(self.by) or '(total)'}: "
            f"{self.summary.num_rows} groups; expected {t['expected']}, sat {t['sat']}, "
            f"first passed {t['first_passed']}, final passed {t['final_passed']}; "
            f"{self.evaluation.n_people} people behind the gaps; "
            f"{self.rows['sittings']['rejected']} rejected sittings>"
        )

    def _repr_html_(self) -> str:
        import html

        head = html.escape(repr(self))
        try:
            body = self.summary.slice(0, 50).to_pandas()._repr_html_()
        except ImportError:  # pragma: no cover - pandas is optional
            body = f"<pre>{html.escape(str(self.summary.slice(0, 50)))}</pre>"
        return f"<p>{head}</p>{body}"


def evaluate(
    roster: TableLike,
    sittings: TableLike,
    *,
    exams: TableLike | None = None,
    exemptions: TableLike | None = None,
    policy: PolicyLike = None,
    by: str | Sequence[str] = ("exam_id",),
    lenient: bool = False,
    component_columns: Sequence[str] | None = None,
    reference_date: DateLike = None,
    people: bool = True,
    n_threads: int | None = None,
    progress: Progress = None,
) -> ExamResult:
    """Evaluate 三基 exam records: who was expected at which exam, who sat, who passed.

    Tables may be pyarrow Tables / RecordBatchReaders, pandas or polars DataFrames (strings as
    Utf8, LargeUtf8, Utf8View or dictionaries; pyarrow and polars columns are read without a
    copy). Columns (extra columns are ignored):

    - ``roster``: ``staff_id``, ``department``, ``category``; optional ``hospital_id``,
      ``employed_from``, ``employed_to`` (dates), ``exempt_reason`` (applies to every exam).
    - ``sittings``: ``staff_id``, ``exam_id``; optional ``attempt`` (1 = first sitting, 2+ =
      make-up; default 1), ``score`` (null = absent), component score columns (see
      ``component_columns``), ``session_id``.
    - ``exams`` (optional): ``exam_id``; optional ``kind``, ``date``, ``pass_mark``,
      ``full_mark``, ``categories`` / ``departments`` (the scope, e.g. ``"医师,护士"``; null =
      all), ``hospital_id``. Without it every rostered staff member (of the hospitals whose
      staff sat it) is expected at every exam found in the sittings.
    - ``exemptions`` (optional): ``staff_id``, ``reason``, optional ``exam_id`` (null = every
      exam).

    ``policy``: a :class:`Policy`, a dict of its fields, TOML text or a file (default: the
    built-in policy). ``by``: the summary's grouping (any of :data:`DIMENSIONS`).
    ``component_columns``: the sittings' component score columns (theory, skill, ...);
    default: those the policy names, or, without a ``score`` column, every other numeric
    column. ``reference_date``: the date staff must be employed on for exams without a date.
    ``people=False`` skips the people list (faster at province scale).

    Bad rows (a sitting of someone not on the roster, a duplicate attempt, a score outside
    [0, full mark], attempt < 1, a make-up without a first attempt, NaN) raise
    :class:`sanjia.ExamsError` naming the table and rows; with ``lenient=True`` they are left
    out and listed in ``result.rejections`` (``result.rows`` adds up).

    Runs in Rust with the GIL released (``n_threads`` threads; default: all cores); Ctrl-C
    stops it. ``progress=True`` shows a tqdm bar; a callable gets ``(done, total)``.
    """
    pol = as_policy(policy)
    dims = _dims(by)
    r = _table(roster, "roster")
    s = _table(sittings, "sittings")
    e = None if exams is None else _table(exams, "exams")
    x = None if exemptions is None else _table(exemptions, "exemptions")
    comps = (
        list(component_columns) if component_columns is not None else _default_components(s, pol)
    )
    ev = _exams_evaluate(
        r,
        s,
        e,
        x,
        pol,
        lenient,
        comps,
        _date(reference_date, "reference_date"),
        people,
        n_threads,
        _progress(progress, "row"),
    )
    return ExamResult(ev, dims)


class TrainingResult:
    """The result of :func:`training`: ``checks`` (one row per requirement, hospital,
    department and period), ``shortfalls`` (the checks not met), ``counts(period)``,
    ``rejections`` and ``rows``."""

    def __init__(self, evaluation: TrainingEvaluation) -> None:
        self.evaluation = evaluation

    @functools.cached_property
    def checks(self) -> Any:
        """requirement, hospital_id, department, period, period_start, period_end, sessions,
        min_sessions, met."""
        return self.evaluation.checks()

    @functools.cached_property
    def shortfalls(self) -> Any:
        """The checks that fall short of their minimum."""
        import pyarrow.compute as pc

        return self.checks.filter(pc.invert(self.checks["met"]))

    def counts(self, period: str = "month") -> Any:
        """Sessions and attendees per hospital, department (null = hospital-wide), kind and
        period (``"month"``, ``"quarter"``, ``"half_year"`` or ``"year"``)."""
        return self.evaluation.counts(period)

    @functools.cached_property
    def rejections(self) -> Any:
        """Rejected session rows (lenient mode)."""
        return self.evaluation.rejections()

    @property
    def rows(self) -> dict[str, int]:
        """Row accounting of the sessions table: ``{"input", "used", "rejected"}``."""
        return self.evaluation.rows()

    @property
    def window(self) -> tuple[str, str] | None:
        """The review window checked (first and last day)."""
        return self.evaluation.window

    def to_pandas(self) -> Any:
        """The checks as a pandas DataFrame."""
        return self.checks.to_pandas()

    def to_polars(self) -> Any:
        """The checks as a polars DataFrame."""
        import polars as pl

        return pl.from_arrow(self.checks)

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.checks.__arrow_c_stream__(requested_schema)

    def __repr__(self) -> str:
        return (
            f"<sanjia.exams.TrainingResult: {self.evaluation.n_sessions} sessions, "
            f"{self.checks.num_rows} checks, {self.shortfalls.num_rows} short>"
        )


Requirements = str | os.PathLike[str] | Mapping[str, Any] | Sequence[Mapping[str, Any]] | None


def _requirements(req: Requirements) -> str | dict[str, Any] | list[dict[str, Any]] | None:
    if req is None:
        return None
    if isinstance(req, str) and ("=" in req or "\n" in req):
        return req
    if isinstance(req, (str, os.PathLike)):
        path = Path(os.fspath(req))
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            loaded: dict[str, Any] | list[dict[str, Any]] = json.loads(text)
            return loaded
        return text
    if isinstance(req, Mapping):
        return dict(req)
    return [dict(r) for r in req]


def training(
    sessions: TableLike,
    *,
    requirements: Requirements = None,
    start: DateLike = None,
    end: DateLike = None,
    departments: Sequence[str] | None = None,
    lenient: bool = False,
) -> TrainingResult:
    """Count training sessions and drills per period and department and check them against
    minimums.

    ``sessions``: ``session_id``, ``kind`` (培训, 应急演练 ...), ``date``; optional
    ``department`` (null = hospital-wide), ``hospital_id``, ``attendees``.
    ``requirements``: a list of ``{"name", "kinds", "period" (month / quarter / half_year /
    year), "min_sessions", "departments", "hospital_wide_counts"}``, a dict with a
    ``requirements`` list, TOML text or a file (default: the built-in
    ``rulebooks/policy/training-default.toml``). ``start`` / ``end``: the review window
    (default: the sessions' span). ``departments``: the departments to check where a
    requirement lists none (pass the roster's, so that a department without any session is
    reported short).
    """
    ev = _exams_training(
        _table(sessions, "sessions"),
        _requirements(requirements),
        _date(start, "start"),
        _date(end, "end"),
        None if departments is None else [str(d) for d in departments],
        lenient,
    )
    return TrainingResult(ev)


def records(
    rulebook: Rulebook | str,
    *,
    roster: TableLike | None = None,
    sittings: TableLike | None = None,
    exams: TableLike | None = None,
    exemptions: TableLike | None = None,
    sessions: TableLike | None = None,
    component_columns: Sequence[str] | None = None,
    n_threads: int | None = None,
) -> Records:
    """Evaluate staff records once with a rulebook's exam and training policies, for
    ``sanjia.score(..., records=...)`` / ``sanjia.score_batch(..., records=...)``. Province-wide
    records (a ``hospital_id`` column in the roster / sessions) are filtered to each hospital
    scored."""
    from sanjia import as_rulebook

    rb = as_rulebook(rulebook)
    s = None if sittings is None else _table(sittings, "sittings")
    comps = (
        list(component_columns)
        if component_columns is not None
        else (None if s is None else _default_components(s, Policy.from_rulebook(rb)))
    )
    return _exams_records(
        rb,
        None if roster is None else _table(roster, "roster"),
        s,
        None if exams is None else _table(exams, "exams"),
        None if exemptions is None else _table(exemptions, "exemptions"),
        None if sessions is None else _table(sessions, "sessions"),
        comps,
        n_threads,
    )


def _records_arg(
    rulebook: Rulebook,
    records_: Records | None,
    tables: Mapping[str, TableLike | None],
) -> Records | None:
    """The ``records=`` of a score call, or records built from its tables (None without
    either)."""
    given = [k for k, v in tables.items() if v is not None]
    if records_ is not None:
        if given:
            raise TypeError(f"give records= or the tables ({', '.join(given)}), not both")
        return records_
    if not given:
        return None
    return records(
        rulebook,
        roster=tables.get("roster"),
        sittings=tables.get("sittings"),
        exams=tables.get("exams"),
        exemptions=tables.get("exemptions"),
        sessions=tables.get("sessions"),
    )
