"""The ``sanjia`` command line.

Commands: ``score`` (the default), ``validate``, ``template``, ``rulebooks``, ``show``,
``gap``, ``exams``. See ``sanjia --help``, ``sanjia COMMAND --help`` and ``docs/cli.md``.

Exit codes: 0 success; 1 an output file could not be written; 2 bad usage; 3 invalid
rulebook or exam policy; 4 invalid evidence or exam records (for a batch: at least one
hospital could not be scored); 5 only with ``--strict``: a gate failed or no grade was
awarded, or (``exams``) a target was not met; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import json
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sanjia
from sanjia import exams
from sanjia._output import (
    FORMATS,
    output_format,
    write_batch,
    write_csv,
    write_parquet,
    write_report,
    write_text,
)
from sanjia._tables import WORKBOOK_EXTENSIONS, is_table_path, read_table

EXIT_OK = 0
EXIT_WRITE = 1
EXIT_USAGE = 2
EXIT_RULEBOOK = 3
EXIT_EVIDENCE = 4
EXIT_STRICT = 5
EXIT_INTERRUPTED = 130

EXIT_CODES = """\
exit codes:
  0    ok
  1    an output file could not be written
  2    bad usage (unknown option, missing file name, ...)
  3    the rulebook (or the exam policy) is invalid
  4    the evidence or the exam records are invalid or cannot be read (in a batch: at
       least one hospital could not be scored)
  5    only with --strict: a gate failed or no grade was awarded; for exams, a target
       (参考率 or 合格率) was not met
  130  interrupted (Ctrl-C)"""


class UsageError(Exception):
    """Bad usage: the message is printed and the exit code is 2."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=100)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sanjia",
        formatter_class=_Formatter,
        description=(
            "Score hospital accreditation reviews (三级医院评审, JCI-style standards) against a\n"
            "rulebook, with a reason for every deducted point.\n\n"
            "A typical round for a quality office:\n"
            "  sanjia rulebooks                                    which rulebooks are built in\n"
            "  sanjia template -r demo -o evidence.xlsx            a workbook to fill in\n"
            "  sanjia validate demo evidence.xlsx                  check the filled workbook\n"
            "  sanjia score evidence.xlsx                          grade, decision, deductions\n"
            "  sanjia score evidence.xlsx -o review.xlsx           a workbook for the meeting\n"
            "  sanjia score evidence.xlsx -o report.html           a report to send by mail\n\n"
            "A provincial batch: sanjia score --table evidence.csv -o results.xlsx\n"
            "The 三基 exam check:  sanjia exams roster.csv sittings.csv\n\n"
            "Run without a command to score the bundled sample hospital."
        ),
        epilog=EXIT_CODES,
    )
    p.add_argument("--version", action="version", version=f"sanjia {sanjia.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser(
        "score",
        help="score one hospital or many, print or write the report",
        formatter_class=_Formatter,
        description=(
            "Score evidence against a rulebook. One hospital: print its grade, decision trace\n"
            "and deductions (or write a report). Several files or a table: score them all and\n"
            "print one line per hospital (or write the results).\n\n"
            "Evidence: .toml / .json files, filled-in evidence workbooks (.xlsx, .xls, .ods;\n"
            "see `sanjia template`), or long-format tables (.csv, .parquet, .arrow) with the\n"
            "columns hospital_id, criterion_id and any of period, value, numerator,\n"
            "denominator, level. Without evidence, scores the rulebook's bundled sample.\n\n"
            "Formats: text (default), json, html, csv, parquet, xlsx. With --out and no\n"
            "--format the file's extension chooses. xlsx and parquet need --out.\n\n"
            "examples:\n"
            "  sanjia score evidence.xlsx\n"
            "  sanjia score -r cn-tertiary-2022 h001.toml --format html -o h001.html\n"
            "  sanjia score --table province.csv --encoding gb18030 -o results.xlsx\n"
            "  sanjia score a.toml b.toml c.xlsx --strict"
        ),
        epilog=EXIT_CODES,
    )
    s.add_argument("evidence", nargs="*", help="evidence files (.toml, .json, .xlsx, .csv, ...)")
    s.add_argument(
        "-r",
        "--rulebook",
        default=None,
        help="a built-in rulebook name (see `sanjia rulebooks`) or a rulebook file; "
        "default: the rulebook an evidence workbook names, else the default built-in",
    )
    s.add_argument(
        "-t",
        "--table",
        action="append",
        default=[],
        metavar="FILE",
        help="a long-format evidence table (.csv, .parquet, .arrow, or .xlsx: its first "
        "sheet) of many hospitals; may be repeated",
    )
    s.add_argument("--sample", help="score a bundled sample hospital of a built-in rulebook")
    s.add_argument(
        "-f",
        "--format",
        choices=("text", *FORMATS),
        default=None,
        help="output format (default: text, or the --out file's extension)",
    )
    s.add_argument("--json", action="store_true", help="same as --format json")
    s.add_argument("-o", "--out", help="write to this file instead of printing")
    s.add_argument(
        "--nodes",
        action="store_true",
        help="for a batch in csv / parquet / json: one row per node per hospital "
        "(default: one row per hospital)",
    )
    s.add_argument(
        "--strict",
        action="store_true",
        help="exit with code 5 when a gate failed or no grade was awarded",
    )
    s.add_argument(
        "-e",
        "--encoding",
        default=None,
        help="text encoding of CSV and TOML/JSON evidence when not UTF-8, e.g. gb18030 "
        "(UTF-8 with or without a byte-order mark is read as is)",
    )
    s.add_argument("--threads", type=int, default=None, help="threads for a batch (default: all)")
    s.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar for a batch (default: when the terminal is interactive)",
    )

    v = sub.add_parser(
        "validate",
        help="check a rulebook, and evidence files against it",
        formatter_class=_Formatter,
        description=(
            "Check a rulebook and report every problem (file, place, criterion). With evidence\n"
            "files, also check each of them against the rulebook: a workbook's problems name\n"
            "the sheet, row and column.\n\n"
            "examples:\n"
            "  sanjia validate my-province.toml\n"
            "  sanjia validate demo evidence.xlsx"
        ),
        epilog=EXIT_CODES,
    )
    v.add_argument("rulebook", help="a rulebook file or built-in name")
    v.add_argument("evidence", nargs="*", help="evidence files to check against it")
    v.add_argument("-e", "--encoding", default=None, help="encoding of TOML/JSON/CSV evidence")

    t = sub.add_parser(
        "template",
        help="write a fill-in evidence workbook (.xlsx) for a rulebook",
        formatter_class=_Formatter,
        description=(
            "Write an Excel workbook to fill in: a readme sheet (hospital id and name) and one\n"
            "sheet per part of the rulebook, one row per criterion with its responsible\n"
            "department and notes (unit, direction, scoring), drop-down lists for gate answers,\n"
            "article levels and element results, and value / numerator / denominator columns\n"
            "per period for indicators. Read it back with `sanjia score evidence.xlsx`.\n\n"
            "examples:\n"
            "  sanjia template -r cn-tertiary-2022 -o evidence.xlsx\n"
            "  sanjia template -r demo --periods 2022,2023,2024 --hospital H001 -o h001.xlsx\n"
            "  sanjia template -r demo --from last-round.toml -o update.xlsx"
        ),
        epilog=EXIT_CODES,
    )
    t.add_argument(
        "-r", "--rulebook", default=None, help="built-in name or rulebook file (default: demo)"
    )
    t.add_argument(
        "-o", "--out", default=None, help="the workbook to write (default: RULEBOOK-evidence.xlsx)"
    )
    t.add_argument(
        "--periods",
        default=None,
        help="period labels, oldest first, comma-separated (default: the years before this "
        "one that the rulebook's longest trend needs)",
    )
    t.add_argument("--hospital", default=None, help="hospital id to write in the readme sheet")
    t.add_argument("--name", default=None, help="hospital name to write in the readme sheet")
    t.add_argument(
        "--from",
        dest="source",
        default=None,
        metavar="EVIDENCE",
        help="fill the workbook in with this evidence (e.g. last round's)",
    )
    t.add_argument("-e", "--encoding", default=None, help="encoding of the --from file")
    t.add_argument("--force", action="store_true", help="overwrite an existing file")

    sub.add_parser(
        "rulebooks",
        help="list the built-in rulebooks",
        description="List the built-in rulebooks with their edition, jurisdiction and source.",
    )
    sh = sub.add_parser(
        "show",
        help="print a rulebook's tree, grades and parameters",
        description="Print a rulebook's tree (ids, titles, points), grade rules and parameters.",
    )
    sh.add_argument("rulebook", help="a built-in name or a rulebook file")

    g = sub.add_parser(
        "gap",
        help="the least a hospital must change to reach a grade",
        formatter_class=_Formatter,
        description=(
            "Gap analysis: how far each failed condition of a grade is, the gates in the way,\n"
            "and a minimal plan of changes (articles to raise, indicator values to reach, gates\n"
            "to clear) grouped by responsible department, verified by re-scoring. Without\n"
            "evidence, analyses the rulebook's bundled sample.\n\n"
            "A cost file (.toml / .json) prices changes instead of one per change:\n"
            '  default = 1, per_extra_level = 0.5, fixed = ["2.2.7"],\n'
            '  [kind] indicator = 3, [department] "医务部" = 2, [criterion] "3.1.2" = 5\n\n'
            "examples:\n"
            "  sanjia gap --to 甲等 h001.toml\n"
            "  sanjia gap --to 甲等 -r cn-tertiary-2022 h001.xlsx --cost costs.toml --json"
        ),
        epilog=EXIT_CODES,
    )
    g.add_argument("evidence", nargs="?", help="an evidence file (.toml, .json, .xlsx, ...)")
    g.add_argument("--to", required=True, metavar="GRADE", help="the target grade, e.g. 甲等")
    g.add_argument(
        "-r", "--rulebook", default=None, help="a built-in rulebook name or a rulebook file"
    )
    g.add_argument("--sample", help="analyse a bundled sample hospital of a built-in rulebook")
    g.add_argument("--cost", metavar="FILE", help="a cost file (.toml or .json)")
    g.add_argument(
        "--max-nodes",
        type=int,
        default=None,
        help="search budget before the best plan is returned unproven (default 50000)",
    )
    g.add_argument("--json", action="store_true", help="print JSON instead of text")
    g.add_argument(
        "--strict",
        action="store_true",
        help="exit with code 5 when the grade cannot be reached or no plan was found",
    )
    _exams_parser(sub)
    return p


def _exams_parser(sub: Any) -> None:
    x = sub.add_parser(
        "exams",
        help="三基 exams: participation (参考率) and pass rates (合格率) from staff files",
        formatter_class=_Formatter,
        description=(
            "The 三基 exam check: who was expected at each exam (应考), who sat (实考), who\n"
            "passed on the first attempt (一次合格率) and after make-ups (最终合格率), against\n"
            "the targets of an exam policy (built-in: participation >= 100%, pass rate >= 95%,\n"
            "pass mark 60 of 100), and the people behind every gap (absent without an accepted\n"
            "exemption, or failed).\n\n"
            "Files: .csv / .tsv (UTF-8, with or without Excel's byte-order mark, or --encoding\n"
            'gb18030), .parquet, .arrow / .feather. Save an Excel sheet as "CSV UTF-8" first.\n'
            "  ROSTER     staff_id, department, category (医师, 护士 ...); optional hospital_id,\n"
            "             employed_from, employed_to (YYYY-MM-DD), exempt_reason (all exams)\n"
            "  SITTINGS   staff_id, exam_id; optional attempt (1 = first, 2+ = make-up 补考),\n"
            "             score (empty = absent) or component scores (theory, skill ...),\n"
            "             session_id\n"
            "  --exams    exam_id; optional kind, date, pass_mark, full_mark, categories and\n"
            "             departments (who must sit it, e.g. 医师,护士; empty = everyone),\n"
            "             hospital_id. Without it, everyone on the roster is expected at every\n"
            "             exam found in the sittings.\n"
            "  --exemptions  staff_id, reason; optional exam_id (empty = every exam)\n"
            "Other columns (name 姓名 ...) are ignored. Ids are read as text (001 stays 001).\n\n"
            "The policy: --policy FILE (.toml / .json, only the fields to change; see\n"
            "docs/exams.md), or --rulebook (its [exams] section), then --pass-mark,\n"
            "--participation-target, --pass-target, --judge. Targets are decided exactly from\n"
            "the counts: 95 passed of 100 meets >= 95%, 94 of 99 does not. Rates are shown\n"
            "truncated to 0.01%, never rounded up to a target.\n\n"
            "Output: text (default) prints the summary, the policy and the people behind the\n"
            "gaps (the first 20); json, csv, parquet and xlsx write the summary table (xlsx:\n"
            "summary, people, policy and left-out rows in one workbook).\n"
            "--people FILE writes every person behind a gap (.csv, .xlsx, .parquet, .json).\n\n"
            "Bad rows (a sitting of someone not on the roster, a duplicate attempt, a score\n"
            "outside [0, full mark] ...) stop the check with their file and line (exit 4);\n"
            "--lenient leaves them out, lists them, and computes the rates without them.\n"
            "A target not met is a finding (exit 0); with --strict (or --fail-on-target) it is\n"
            "exit code 5, for scripts and scheduled checks.\n\n"
            "examples:\n"
            "  sanjia exams roster.csv sittings.csv\n"
            "  sanjia exams roster.csv sittings.csv --exams exams.csv --by exam,department\n"
            "  sanjia exams roster.csv sittings.csv --encoding gb18030 --pass-mark 80\n"
            "  sanjia exams roster.csv sittings.csv --policy our-policy.toml -o 三基.xlsx\n"
            "  sanjia exams roster.csv sittings.csv --people gaps.csv --strict\n"
            "  sanjia exams province-roster.parquet province-sittings.parquet \\\n"
            "      --by hospital,exam,category -o summary.parquet"
        ),
        epilog=EXIT_CODES,
    )
    x.add_argument("roster", help="the staff roster (.csv, .parquet, .xlsx, ...)")
    x.add_argument("sittings", help="the exam sittings: one row per person, exam and attempt")
    x.add_argument("--exams", metavar="FILE", help="the exams: kind, date, scope, pass mark")
    x.add_argument("--exemptions", metavar="FILE", help="exemptions: staff_id, reason, exam_id")
    pol = x.add_mutually_exclusive_group()
    pol.add_argument(
        "--policy",
        metavar="FILE",
        help="an exam policy file (.toml / .json); default: the built-in policy",
    )
    pol.add_argument(
        "-r",
        "--rulebook",
        default=None,
        help="take the policy from a rulebook's [exams] section (a built-in name or a file)",
    )
    x.add_argument("--pass-mark", metavar="N", help="the pass mark, e.g. 80 (a score >= it passes)")
    x.add_argument(
        "--participation-target", metavar="TARGET", help='e.g. ">= 100%%" (参考率 target)'
    )
    x.add_argument("--pass-target", metavar="TARGET", help='e.g. ">= 90%%" (合格率 target)')
    x.add_argument(
        "--judge",
        choices=("first", "final"),
        default=None,
        help="the pass rate judged against the target: first attempt (一次合格率) or final, "
        "after make-ups (最终合格率)",
    )
    x.add_argument(
        "--by",
        action="append",
        default=None,
        metavar="COLUMNS",
        help="group the summary by any of hospital, exam, kind, department, category "
        "(comma-separated or repeated; 'total' for one row); default: exam (hospital,exam "
        "when the roster holds several hospitals)",
    )
    x.add_argument(
        "--components",
        metavar="COLUMNS",
        help="the sittings' component score columns, comma-separated (e.g. theory,skill); "
        "default: those the policy names, or without a score column every numeric column",
    )
    x.add_argument(
        "--reference-date",
        metavar="YYYY-MM-DD",
        help="the day staff must be employed on, for exams without a date",
    )
    x.add_argument(
        "-f",
        "--format",
        choices=("text", "json", "csv", "parquet", "xlsx"),
        default=None,
        help="output format (default: text, or the --out file's extension)",
    )
    x.add_argument("--json", action="store_true", help="same as --format json")
    x.add_argument("-o", "--out", metavar="FILE", help="write to this file instead of printing")
    x.add_argument(
        "--people",
        metavar="FILE",
        help="write every person behind a gap (absent or failed) to this file "
        "(.csv, .xlsx, .parquet, .json, .txt)",
    )
    x.add_argument(
        "--lenient",
        action="store_true",
        help="leave bad rows out (listed on standard error) instead of stopping",
    )
    x.add_argument(
        "--strict",
        "--fail-on-target",
        dest="strict",
        action="store_true",
        help="exit with code 5 when a target is not met in any group of the summary",
    )
    x.add_argument(
        "-e",
        "--encoding",
        default=None,
        help="text encoding of CSV files when not UTF-8, e.g. gb18030 (UTF-8 with or "
        "without a byte-order mark is read as is)",
    )
    x.add_argument(
        "--threads", type=int, default=None, metavar="N", help="threads (default: all cores)"
    )
    x.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when the terminal is interactive)",
    )


# ---------------------------------------------------------------- loading


def _is_utf8(encoding: str | None) -> bool:
    return encoding is None or encoding.lower().replace("_", "-") in (
        "utf-8",
        "utf8",
        "utf-8-sig",
        "utf8-sig",
    )


def _load_rulebook(name: str | None) -> sanjia.Rulebook:
    if name is None:
        return sanjia.Rulebook.builtin()
    return sanjia.as_rulebook(name)


def _load_evidence(path: str, encoding: str | None) -> sanjia.Evidence:
    """An evidence file, decoded from ``encoding`` when it is TOML/JSON text in another
    encoding than UTF-8."""
    suffix = Path(path).suffix.lower()
    if _is_utf8(encoding) or suffix not in (".toml", ".json"):
        try:
            return sanjia.Evidence.load(path)
        except sanjia.EvidenceError as e:
            if "is not UTF-8" in str(e):
                raise sanjia.EvidenceError(
                    f"{e} or give its encoding, e.g. --encoding gb18030"
                ) from None
            raise
    assert encoding is not None
    try:
        text = Path(path).read_bytes().decode(encoding)
    except OSError as e:
        raise sanjia.EvidenceError(f"evidence {path}: cannot read the file: {e}") from None
    except UnicodeDecodeError as e:
        raise sanjia.EvidenceError(
            f"evidence {path}: not {encoding} text (invalid byte at offset {e.start})"
        ) from None
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r}") from None
    try:
        if suffix == ".toml":
            return sanjia.Evidence.from_toml(text)
        return sanjia.Evidence.from_json(text)
    except sanjia.EvidenceError as e:
        msg = str(e)
        if msg.startswith("evidence"):
            msg = msg[len("evidence") :]
        raise sanjia.EvidenceError(f"evidence {path}{msg}") from None


def _read_table(path: str, encoding: str | None) -> Any:
    if not Path(path).exists():
        raise sanjia.EvidenceError(f"evidence table {path}: cannot read: no such file")
    try:
        return read_table(path, encoding=encoding)
    except LookupError:
        raise UsageError(f"unknown encoding {encoding!r}") from None
    except (OSError, ValueError) as e:
        hint = ""
        if "UTF8" in str(e) or "utf-8" in str(e).lower():
            hint = " (is it in another encoding? give it, e.g. --encoding gb18030)"
        raise sanjia.EvidenceError(f"evidence table {path}: {e}{hint}") from None


def _workbook_rulebook(evidences: Sequence[sanjia.Evidence]) -> str | None:
    """The built-in rulebook that every one of ``evidences`` (workbooks) names, if any."""
    names = {e.rulebook_id for e in evidences}
    if len(names) == 1:
        (name,) = names
        if name is not None and name in sanjia.Rulebook.builtin_names():
            return name
    return None


# ---------------------------------------------------------------- output


def _stdout_text(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _write(out: str, writer: Any, *args: Any) -> None:
    try:
        writer(*args)
    except OSError as e:
        raise _WriteFailed(f"cannot write {out}: {e.strerror or e}") from None


class _WriteFailed(Exception):
    pass


def _emit_report(report: sanjia.Report, fmt: str, out: str | None) -> None:
    if out is not None:
        file_fmt = "txt" if fmt == "text" else fmt
        _write(out, write_report, report, out, file_fmt)
        print(f"wrote {out}", file=sys.stderr)
        return
    if fmt == "text":
        _stdout_text(report.explain())
    elif fmt == "json":
        _stdout_text(report.to_json(indent=2))
    elif fmt == "html":
        _stdout_text(report.to_html())
    elif fmt == "csv":
        _stdout_csv(report.to_arrow())
    else:
        raise UsageError(f"--format {fmt} writes a binary file: give --out FILE")


def _stdout_csv(table: Any) -> None:
    import pyarrow.csv as pacsv

    sys.stdout.flush()
    pacsv.write_csv(table, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def _emit_batch(result: sanjia.BatchResult, fmt: str, out: str | None, nodes: bool) -> None:
    table = "nodes" if nodes else "summary"
    if out is not None:
        file_fmt = "txt" if fmt == "text" else fmt
        _write(out, write_batch, result, out, file_fmt, table)
        print(f"wrote {out}", file=sys.stderr)
        return
    if fmt == "text":
        for r in result.summary().to_pylist():
            total = "–" if r["total"] is None else f"{r['total']:g}"
            line = f"{r['hospital_id']}\t{r['status']}\t{total}"
            if r["failed_gates"]:
                line += f"\tfailed gates: {r['failed_gates']}"
            print(line)
    elif fmt == "json":
        rows = (result.nodes() if nodes else result.summary()).to_pylist()
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    elif fmt == "html":
        _stdout_text(result.to_html())
    elif fmt == "csv":
        _stdout_csv(result.nodes() if nodes else result.summary())
    else:
        raise UsageError(f"--format {fmt} writes a binary file: give --out FILE")


# ---------------------------------------------------------------- commands


def _cmd_score(args: argparse.Namespace) -> int:
    fmt = "json" if args.json else args.format
    if args.json and args.format not in (None, "json"):
        raise UsageError("give --json or --format, not both")
    if fmt is None:
        fmt = output_format(args.out) if args.out and Path(args.out).suffix else "text"
        fmt = "text" if fmt == "txt" else fmt
    if fmt == "txt":
        fmt = "text"
    tables = [*args.table, *(p for p in args.evidence if is_table_path(p))]
    files = [p for p in args.evidence if not is_table_path(p)]
    if (files or tables) and args.sample:
        raise UsageError("give evidence files or --sample, not both")
    if files and tables:
        raise UsageError("give evidence files or tables, not both (score them separately)")
    evs: list[sanjia.Evidence] = []
    bad = 0
    for path in files:
        try:
            evs.append(_load_evidence(path, args.encoding))
        except sanjia.EvidenceError as e:
            if len(files) == 1:
                raise
            bad += 1
            print(f"error: {e}", file=sys.stderr)
    rb_name = args.rulebook
    if rb_name is None and evs:
        rb_name = _workbook_rulebook(evs)
        named = sorted({e.rulebook_id for e in evs if e.rulebook_id is not None})
        if rb_name is None and named:
            raise UsageError(
                f"the evidence workbook was written for rulebook {', '.join(named)}, which is "
                "not built in: give it with --rulebook FILE"
            )
    rb = _load_rulebook(rb_name)
    progress = sys.stderr.isatty() if args.progress is None else args.progress

    if tables:
        import pyarrow as pa

        parts = [_read_table(t, args.encoding) for t in tables]
        table = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="default")
        try:
            result = sanjia.score_batch(rb, table, n_threads=args.threads, progress=progress)
        except sanjia.EvidenceError as e:
            msg = str(e)
            if msg.startswith("evidence"):
                msg = msg[len("evidence") :]
            raise sanjia.EvidenceError(f"evidence table {', '.join(tables)}{msg}") from None
        return _finish_batch(result, 0, fmt, args)
    if len(files) > 1:
        result = sanjia.score_batch(rb, evs, n_threads=args.threads, progress=progress)
        return _finish_batch(result, bad, fmt, args)

    if files:
        ev = evs[0]
    else:
        name = rb_name or sanjia.Rulebook.builtin_names()[0]
        if name not in sanjia.Rulebook.builtin_names():
            raise UsageError("give an evidence file (only built-in rulebooks bundle a sample)")
        ev = sanjia.Evidence.sample(name, args.sample)
    try:
        report = sanjia.score(rb, ev)
    except sanjia.EvidenceError as e:
        msg = str(e)
        if files and files[0] not in msg and msg.startswith("evidence"):
            raise sanjia.EvidenceError(f"evidence {files[0]}{msg[len('evidence') :]}") from None
        raise
    _emit_report(report, fmt, args.out)
    if args.strict and (report.grade is None or any(g["result"] != "pass" for g in report.gates)):
        return EXIT_STRICT
    return EXIT_OK


def _finish_batch(
    result: sanjia.BatchResult, bad_files: int, fmt: str, args: argparse.Namespace
) -> int:
    _emit_batch(result, fmt, args.out, args.nodes)
    for err in result.errors:
        print(f"error: {err['error']}", file=sys.stderr)
    if bad_files or result.errors:
        return EXIT_EVIDENCE
    rows = result.summary().to_pylist()
    if args.strict and any(r["grade"] is None or r["failed_gates"] for r in rows):
        return EXIT_STRICT
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    rb = sanjia.as_rulebook(args.rulebook)
    print(f"ok: {rb!r}")
    bad = 0
    for path in args.evidence:
        try:
            if is_table_path(path):
                result = sanjia.score_batch(rb, _read_table(path, args.encoding))
                for err in result.errors:
                    print(f"error: {path}: {err['error']}", file=sys.stderr)
                    bad += 1
                if not result.errors:
                    print(f"ok: {path} ({len(result)} hospitals)")
                continue
            ev = _load_evidence(path, args.encoding)
            sanjia.score(rb, ev)
            print(f"ok: {path} (hospital {ev.hospital})")
        except sanjia.EvidenceError as e:
            bad += 1
            print(f"error: {e}", file=sys.stderr)
    return EXIT_EVIDENCE if bad else EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    rb = _load_rulebook(args.rulebook)
    out = args.out or f"{rb.id}-evidence.xlsx"
    if Path(out).suffix.lower() != ".xlsx":
        raise UsageError(f"the template is an .xlsx workbook: {out} should end in .xlsx")
    if Path(out).exists() and not args.force:
        raise UsageError(f"{out} exists (perhaps already filled in): give --force to replace it")
    periods = None
    if args.periods is not None:
        periods = [p.strip() for p in args.periods.split(",") if p.strip()]
    ev = None if args.source is None else _load_evidence(args.source, args.encoding)
    try:
        sanjia.write_template(
            rb, out, periods=periods, hospital=args.hospital, name=args.name, evidence=ev
        )
    except OSError as e:
        raise _WriteFailed(str(e)) from None
    print(f"wrote {out}: fill it in, then `sanjia score {out}`", file=sys.stderr)
    return EXIT_OK


def _cmd_rulebooks(args: argparse.Namespace) -> int:
    for name in sanjia.Rulebook.builtin_names():
        rb = sanjia.Rulebook.builtin(name)
        print(f"{name}\t{rb.edition or ''}\t{rb.jurisdiction or ''}\t{rb.title}")
        if rb.sources:
            more = f" (+{len(rb.sources) - 1} more)" if len(rb.sources) > 1 else ""
            print(f"\tsource: {rb.sources[0]['title']}{more}")
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    print(sanjia.as_rulebook(args.rulebook).tree(), end="")
    return EXIT_OK


def _cmd_gap(args: argparse.Namespace) -> int:
    rb = _load_rulebook(args.rulebook)
    if args.to not in rb.grades:
        raise UsageError(f"unknown grade {args.to!r}: the rulebook's grades are {rb.grades}")
    if args.evidence and args.sample:
        raise UsageError("give an evidence file or --sample, not both")
    if args.evidence:
        ev = sanjia.as_evidence(args.evidence)
    else:
        name = args.rulebook or sanjia.Rulebook.builtin_names()[0]
        if name not in sanjia.Rulebook.builtin_names():
            raise UsageError("give an evidence file (only built-in rulebooks bundle a sample)")
        ev = sanjia.Evidence.sample(name, args.sample)
    report = sanjia.score(rb, ev)
    try:
        gap = report.gap_to(args.to, cost=args.cost, max_nodes=args.max_nodes)
    except sanjia.SanjiaError as e:
        if isinstance(e, (sanjia.EvidenceError, sanjia.RulebookError)):
            raise
        raise UsageError(str(e)) from None
    _stdout_text(gap.to_json(indent=2) if args.json else gap.explain())
    if args.strict and gap.reachable is not True:
        return EXIT_STRICT
    return EXIT_OK


# ---------------------------------------------------------------- exams


class _InputError(Exception):
    """Exam records that cannot be read or used: the message is printed, exit code 4."""


class _PolicyError(Exception):
    """An exam policy that cannot be read or used: the message is printed, exit code 3."""


#: Columns of the staff tables read as text (ids stay as written: ``001``, ``2024``).
_EXAM_TEXT_COLUMNS = (
    "staff_id",
    "exam_id",
    "hospital_id",
    "department",
    "category",
    "exempt_reason",
    "session_id",
    "kind",
    "categories",
    "departments",
    "reason",
)
#: Columns of the staff tables read as numbers (from a workbook: text that is not a number is
#: an error naming the cell).
_EXAM_NUMBER_COLUMNS = ("attempt", "score", "pass_mark", "full_mark", "attendees")
#: Sittings columns that are not score components.
_SITTINGS_FIELDS = ("staff_id", "exam_id", "attempt", "score", "session_id", "hospital_id")
#: How many people, rows and groups the text output lists before "... and N more".
_SHOWN = 20
_BUILTIN_POLICY = "built-in (rulebooks/policy/exams-default.toml)"
_DIM_HEADERS = {
    "hospital_id": ("医院", "hospital_id"),
    "exam_id": ("考核", "exam_id"),
    "exam_kind": ("考核类型", "exam_kind"),
    "department": ("科室", "department"),
    "category": ("人员类别", "category"),
}


class _Records:
    """An input file of the exam check, read into a pyarrow Table."""

    def __init__(
        self,
        role: str,
        path: str,
        table: Any,
        sheet: tuple[str, list[int]] | None = None,
    ) -> None:
        self.role = role
        self.path = path
        self.table = table
        #: A workbook's sheet, and each table row's row in it.
        self.sheet = sheet

    @property
    def is_csv(self) -> bool:
        return Path(self.path).suffix.lower() in (".csv", ".tsv")

    def where(self, row: int) -> str:
        """A 0-based row as users count it: a CSV line (the header is line 1, as in a
        spreadsheet), a workbook sheet's row, or a 1-based row of a Parquet / Arrow file."""
        if self.sheet is not None:
            name, rows = self.sheet
            return f'sheet "{name}" row {rows[row] if 0 <= row < len(rows) else row + 2}'
        return f"line {row + 2}" if self.is_csv else f"row {row + 1}"

    def __str__(self) -> str:
        return f"{self.role} {self.path}"


_NOT_UTF8 = (
    'is not UTF-8 text (Excel\'s plain "CSV" on a Chinese system is GB18030): give its '
    'encoding, e.g. --encoding gb18030, or save it as "CSV UTF-8"'
)


def _looks_utf8(path: str) -> bool:
    """Whether the first megabyte of a file is UTF-8 (GB18030 bytes can pass for UTF-8 in
    some cells, so Arrow's own check of text columns is not enough)."""
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _read_records(role: str, path: str, encoding: str | None) -> _Records:
    import pyarrow as pa

    p = Path(path)
    if not p.exists():
        raise _InputError(f"{role} {path}: cannot read: no such file")
    if p.is_dir():
        raise _InputError(f"{role} {path}: cannot read: it is a folder")
    ext = p.suffix.lower()
    if ext in WORKBOOK_EXTENSIONS:
        # The first sheet; ids as text, counts and scores as numbers, dates as YYYY-MM-DD.
        try:
            table, sheet, rows = sanjia._sanjia._read_sheet_table(
                path, None, list(_EXAM_TEXT_COLUMNS), list(_EXAM_NUMBER_COLUMNS)
            )
        except ValueError as e:
            raise _InputError(f"{role} {e}") from None
        return _Records(role, path, table, (sheet, rows))
    if not is_table_path(path):
        raise _InputError(
            f"{role} {path}: cannot tell the file type: use .csv, .tsv, .parquet, .arrow, "
            ".feather or a workbook (.xlsx, .xls, .ods)"
        )
    try:
        if ext in (".csv", ".tsv"):
            import pyarrow.csv as pacsv

            if _is_utf8(encoding):
                if not _looks_utf8(path):
                    raise _InputError(f"{role} {path} {_NOT_UTF8}")
                enc = "utf-8"  # Arrow skips a UTF-8 byte-order mark itself
            else:
                assert encoding is not None
                enc = encoding
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(encoding=enc),
                parse_options=pacsv.ParseOptions(delimiter="\t" if ext == ".tsv" else ","),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in _EXAM_TEXT_COLUMNS},
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
        else:
            table = read_table(path)
    except (OSError, ValueError) as e:
        msg = str(e)
        if _is_utf8(encoding) and ("UTF8" in msg or "utf-8" in msg.lower()):
            raise _InputError(f"{role} {path} {_NOT_UTF8}") from None
        m = re.search(r"CSV column #(\d+)", msg)
        if m and int(m.group(1)) < len(_csv_header(path, encoding)):
            msg += f" (column `{_csv_header(path, encoding)[int(m.group(1))]}`)"
        raise _InputError(f"{role} {path}: {msg}") from None
    if any(pa.types.is_binary(f.type) for f in table.schema) and _is_utf8(encoding):
        raise _InputError(f"{role} {path} {_NOT_UTF8}")
    # Ids stored as integers (a Parquet file from a script): the text they stand for.
    for i, field in enumerate(table.schema):
        if field.name in _EXAM_TEXT_COLUMNS and pa.types.is_integer(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(pa.string()))
    return _Records(role, path, table)


def _csv_header(path: str, encoding: str | None) -> list[str]:
    import csv

    enc = "utf-8-sig" if _is_utf8(encoding) else (encoding or "utf-8")
    try:
        with open(path, encoding=enc, errors="replace", newline="") as f:
            delimiter = "\t" if path.lower().endswith(".tsv") else ","
            return next(csv.reader(f, delimiter=delimiter), [])
    except (OSError, LookupError):
        return []


def _exam_policy(args: argparse.Namespace) -> tuple[exams.Policy, str]:
    """The policy to evaluate with, and where it comes from (for the output)."""
    if args.policy is not None:
        path = Path(args.policy)
        if not path.is_file():
            raise _PolicyError(f"policy {args.policy}: cannot read: no such file")
        if path.suffix.lower() not in (".toml", ".json"):
            raise _PolicyError(f"policy {args.policy}: a policy file ends in .toml or .json")
        try:
            policy = exams.as_policy(path)
        except UnicodeDecodeError:
            raise _PolicyError(f"policy {args.policy}: not UTF-8 text") from None
        except json.JSONDecodeError as e:
            raise _PolicyError(f"policy {args.policy}: not valid JSON: {e}") from None
        except sanjia.ExamsError as e:
            msg = str(e).strip()
            for prefix in ("policy TOML, ", "policy TOML: ", "policy "):
                if msg.startswith(prefix):
                    msg = msg[len(prefix) :]
                    break
            raise _PolicyError(f"policy {args.policy}: {msg}") from None
        label = f"policy {args.policy}"
    elif args.rulebook is not None:
        rb = sanjia.as_rulebook(args.rulebook)
        policy = exams.Policy.from_rulebook(rb)
        if policy == exams.Policy.builtin():
            label = f"rulebook {rb.id} (no [exams] section: the built-in values)"
        else:
            label = f"the [exams] section of rulebook {rb.id}"
    else:
        policy, label = exams.Policy.builtin(), _BUILTIN_POLICY
    changes: dict[str, str] = {}
    for field, option in (
        ("pass_mark", "--pass-mark"),
        ("participation_target", "--participation-target"),
        ("pass_target", "--pass-target"),
        ("judge", "--judge"),
    ):
        value = getattr(args, field)
        if value is None:
            continue
        try:
            policy = policy.replace({field: value})
        except sanjia.ExamsError as e:
            lines = [ln for ln in str(e).splitlines() if ln.strip()]
            raise UsageError(f"{option} {value}: {lines[-1] if lines else e}") from None
        changes[field] = value
    if changes:
        label += "; changed here: " + ", ".join(f"{k} {v}" for k, v in changes.items())
    return policy, label


def _exam_dims(args: argparse.Namespace, roster: Any) -> tuple[str, ...]:
    if args.by is None:
        import pyarrow.compute as pc

        if "hospital_id" in roster.column_names:
            ids = pc.count_distinct(roster.column("hospital_id")).as_py()
            if ids > 1:
                return ("hospital_id", "exam_id")
        return ("exam_id",)
    items = [d.strip() for value in args.by for d in value.split(",") if d.strip()]
    if any(d.lower() in ("total", "none") for d in items):
        if len(items) > 1:
            raise UsageError("--by total is one row of totals: give no other column with it")
        return ()
    try:
        return exams._dims(items)
    except sanjia.ExamsError as e:
        raise UsageError(f"--by: {e}") from None


def _first_not_number(column: Any) -> str | None:
    for value in column.to_pylist():
        if value is None:
            continue
        try:
            float(value)
        except (TypeError, ValueError):
            return str(value)
    return None


def _exams_error(e: sanjia.ExamsError, files: dict[str, _Records]) -> str:
    """ExamsError's message with the files' names and the lines users see."""
    problems = list(e.problems or [])
    if problems:
        lines = [
            f"{e.total} bad row(s): fix them, or give --lenient to leave them out (they are "
            "listed and the rates are computed without them):"
        ]
        lines += [f"  {_problem_line(p, files)}" for p in problems]
        if e.total > len(problems):
            lines.append(f"  ... and {e.total - len(problems)} more")
        return "\n".join(lines)
    msg = str(e).strip()
    rec = files.get(e.table or "")
    if rec is None:
        return msg
    for prefix in (f"{rec.role} table: ", f"{rec.role} table "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
            break
    if e.column and "missing" in msg:
        msg += f" (its columns: {', '.join(rec.table.column_names) or 'none'})"
    elif e.column and e.column in rec.table.column_names:
        col = rec.table.column(e.column)
        import pyarrow as pa

        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            bad = _first_not_number(col)
            if bad is not None:
                msg += f" (it holds text such as {bad!r}"
                msg += "; leave the cell empty for someone absent)" if e.column == "score" else ")"
    return f"{rec}: {msg}"


def _problem_line(p: dict[str, Any], files: dict[str, _Records]) -> str:
    """Where a bad row is and what is wrong, with the kept row of a duplicate counted as
    users count rows in that file (the engine counts table rows from 0)."""
    message = str(p.get("message"))
    rec = files.get(str(p.get("table")))
    if rec is not None:
        message = re.sub(
            r"duplicate of row (\d+)",
            lambda m: f"duplicate of {rec.where(int(m.group(1)))}",
            message,
        )
    return f"{_problem_where(p, files)}: {message}"


def _problem_where(p: dict[str, Any], files: dict[str, _Records]) -> str:
    rec = files.get(str(p.get("table")))
    row = p.get("row")
    if rec is None:
        return f"{p.get('table')} row {row}"
    return f"{rec} {rec.where(int(row))}" if row is not None else str(rec)


def _met(value: bool | None) -> str:
    return "–" if value is None else ("✓" if value else "✗")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _grid(header: list[list[str]], rows: list[list[str]], right: set[int]) -> list[str]:
    """Aligned columns (Chinese characters take two places), numbers to the right."""
    widths = [max(_width(r[i]) for r in [*header, *rows]) for i in range(len(header[0]))]
    out = []
    for r in [*header, *rows]:
        cells = []
        for i, cell in enumerate(r):
            pad = " " * (widths[i] - _width(cell))
            cells.append(pad + cell if i in right else cell + pad)
        out.append("  ".join(cells).rstrip())
    return out


def _cell(value: Any) -> str:
    return "–" if value is None else str(value)


def _summary_lines(result: exams.ExamResult, policy: exams.Policy) -> list[str]:
    dims = list(result.by)
    judged = {policy.judge} | {str(o["judge"]) for o in policy.kinds.values() if "judge" in o}
    mark = {
        "first": "*" if judged == {"first"} else "",
        "final": "*" if judged == {"final"} else "",
    }
    header = [
        [*(_DIM_HEADERS[d][0] for d in dims), "应考", "实考", "缺考", "免考", "参考率",
         f"一次合格率{mark['first']}", f"最终合格率{mark['final']}", "参考", "合格"],
        [*(_DIM_HEADERS[d][1] for d in dims), "expected", "sat", "absent", "exempt",
         "participation", "first pass", "final pass", "met", "met"],
    ]  # fmt: skip

    def line(r: dict[str, Any], label: list[str]) -> list[str]:
        return [
            *label,
            str(r["expected"]),
            str(r["sat"]),
            str(r["absent"]),
            str(r["exempt"]),
            exams.format_rate(r["participation_rate"]),
            exams.format_rate(r["first_pass_rate"]),
            exams.format_rate(r["final_pass_rate"]),
            _met(r["participation_met"]),
            _met(r["pass_met"]),
        ]

    groups = result.summary.to_pylist()
    rows = [line(r, [_cell(r[d]) for d in dims]) for r in groups]
    if len(groups) > 1:
        rows.append(line(result.total, ["合计 total", *([""] * (len(dims) - 1))]))
    n = len(dims)
    grid = _grid(header, rows, set(range(n, n + 7)))
    if len(groups) > 1 and dims:
        grid.insert(len(grid) - 1, "-" * max(_width(g) for g in grid))
    return grid


def _group_name(r: dict[str, Any], dims: Sequence[str]) -> str:
    return " / ".join(_cell(r[d]) for d in dims) or "total"


def _targets_lines(result: exams.ExamResult) -> list[str]:
    groups = result.summary.to_pylist()
    dims = result.by
    out = []
    for flag, name in (("participation_met", "参考率 participation"), ("pass_met", "合格率 pass")):
        decided = [r for r in groups if r[flag] is not None]
        missed = [r for r in decided if r[flag] is False]
        if not missed:
            out.append(f"{name} target met in every group ({len(decided)} decided).")
            continue
        names = [_group_name(r, dims) for r in missed[:10]]
        more = f"; ... and {len(missed) - 10} more" if len(missed) > 10 else ""
        out.append(
            f"{name} target NOT met in {len(missed)} of {len(decided)} group(s): "
            f"{'; '.join(names)}{more}"
        )
    return out


def _policy_lines(policy: exams.Policy, label: str, exam_table: _Records | None) -> list[str]:
    judged = "一次合格率 (first attempt)" if policy.judge == "first" else "最终合格率 (final)"
    per = "实考 (sat)" if policy.pass_rate_denominator == "sat" else "应考 (expected)"
    mark = f"  pass mark {policy.pass_mark} of {policy.full_mark}"
    if exam_table is not None and "pass_mark" in exam_table.table.column_names:
        mark += " (the exams file's pass_mark overrides it per exam)"
    makeups = "yes" if policy.makeup_counts else "no"
    lines = [
        f"Policy: {label}",
        f"{mark}; make-up passes (补考) count for 最终合格率: {makeups}",
        f"  targets: 参考率 {policy.participation_target}; 合格率 {policy.pass_target}, "
        f"judged on {judged}; pass rates are passed / {per}",
        "  exemptions that take someone out of 应考: "
        + (", ".join(policy.exempt_reasons) or "none"),
    ]
    for kind, o in policy.kinds.items():
        parts = [f"{k} {_policy_value(v)}" for k, v in o.items()]
        lines.append(f"  exam kind {kind}: {', '.join(parts)}")
    return lines


def _policy_value(v: Any) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ",".join(str(x) for x in v) or "none"
    if isinstance(v, dict):
        return ",".join(f"{k}={x}" for k, x in v.items()) or "none"
    return str(v)


def _sorted_people(people: Any) -> Any:
    keys = [c for c in ("hospital_id", "exam_id", "problem", "department", "staff_id")]
    return people.sort_by([(c, "ascending") for c in keys if c in people.column_names])


def _people_grid(people: Any, limit: int | None) -> list[str]:
    rows_all = people.to_pylist()
    shown = rows_all if limit is None else rows_all[:limit]
    hospitals = any(r["hospital_id"] is not None for r in rows_all)
    header = [
        [*(["医院"] if hospitals else []), "工号", "考核", "科室", "人员类别", "问题", "说明"],
        [*(["hospital_id"] if hospitals else []), "staff_id", "exam_id", "department",
         "category", "problem", "note"],
    ]  # fmt: skip
    rows = []
    for r in shown:
        if r["problem"] == "absent":
            problem = "缺考 absent"
            note = (
                f"reason not accepted: {r['unaccepted_reason']}" if r["unaccepted_reason"] else ""
            )
        else:
            problem = "不合格 failed"
            note = "passed a make-up (补考)" if r["final_passed"] else ""
            if not note and r["sittings"] and r["sittings"] > 1:
                note = f"{r['sittings']} sittings, none passed"
        rows.append(
            [
                *([_cell(r["hospital_id"])] if hospitals else []),
                _cell(r["staff_id"]),
                _cell(r["exam_id"]),
                _cell(r["department"]),
                _cell(r["category"]),
                problem,
                note,
            ]
        )
    return _grid(header, rows, set())


def _exams_text(
    result: exams.ExamResult,
    policy: exams.Policy,
    label: str,
    files: dict[str, _Records],
    components: str,
    people_file: str | None,
) -> str:
    counts = result.rows
    inputs = []
    for role, what in (("roster", "staff"), ("sittings", "rows"), ("exams", "exams"),
                       ("exemptions", "exemptions")):  # fmt: skip
        rec = files.get(role)
        if rec is None:
            continue
        c = counts.get(role, {})
        left = f", {c['rejected']} left out" if c.get("rejected") else ""
        inputs.append(f"{role} {rec.path} ({c.get('used', 0)} {what}{left})")
    out = ["三基考核 exam check: participation (参考率) and pass rates (合格率)"]
    out += [f"  {i}" for i in inputs]
    out.append(f"  scores: {components}")
    out.append("")
    out += _policy_lines(policy, label, files.get("exams"))
    out.append("")
    out += _summary_lines(result, policy)
    judged = {policy.judge} | {str(o["judge"]) for o in policy.kinds.values() if "judge" in o}
    if len(judged) == 1:
        out.append("* the pass rate judged against the target")
    else:
        out.append("the pass rate judged against the target depends on the exam kind (above)")
    out.append("")
    out += _targets_lines(result)
    out.append("")
    people = _sorted_people(result.people)
    n = people.num_rows
    if n == 0:
        out.append("People behind the gaps: none (nobody absent without an accepted exemption, "
                   "nobody failed).")  # fmt: skip
    else:
        absent = sum(1 for p in people.column("problem").to_pylist() if p == "absent")
        out.append(
            f"People behind the gaps (人员明细): {n} — {absent} absent without an accepted "
            f"exemption, {n - absent} failed"
        )
        out += [f"  {ln}" for ln in _people_grid(people, _SHOWN)]
        if n > _SHOWN:
            where = (
                f"all of them are in {people_file}"
                if people_file
                else "write them all with --people FILE (.csv, .xlsx, .parquet, .json)"
            )
            out.append(f"  ... and {n - _SHOWN} more: {where}")
    return "\n".join(out) + "\n"


def _components_note(
    args: argparse.Namespace, sittings: Any, policy: exams.Policy
) -> tuple[list[str] | None, str]:
    """The component columns to pass (None: the API's default) and how scores are read."""
    if args.components:
        comps = [c.strip() for c in args.components.split(",") if c.strip()]
        missing = [c for c in comps if c not in sittings.column_names]
        if missing:
            raise UsageError(
                f"--components: no column {', '.join(missing)} in the sittings "
                f"(its columns: {', '.join(sittings.column_names)})"
            )
        return comps, f"components {', '.join(comps)} ({policy.components})"
    default = exams._default_components(sittings, policy)
    if default is None:
        named = list(policy.required_components) + list(policy.component_weights)
        if named:
            return None, f"components named by the policy: {', '.join(dict.fromkeys(named))}"
        return None, "the score column"
    if not default:
        return None, "no score column and no numeric column: everyone counts as absent"
    text = [
        f.name for f in sittings.schema if f.name not in _SITTINGS_FIELDS and f.name not in default
    ]
    note = f"no score column: components {', '.join(default)} ({policy.components})"
    if text:
        note += f"; not numeric, not used: {', '.join(text)} (--components to choose)"
    return None, note


def _exam_format(args: argparse.Namespace) -> str:
    if args.json and args.format not in (None, "json"):
        raise UsageError("give --json or --format, not both")
    fmt: str | None = "json" if args.json else args.format
    if fmt is None:
        fmt = output_format(args.out) if args.out and Path(args.out).suffix else "text"
    fmt = "text" if fmt == "txt" else fmt
    if fmt not in ("text", "json", "csv", "parquet", "xlsx"):
        raise UsageError(f"exams writes text, json, csv, parquet or xlsx, not {fmt}")
    if fmt in ("parquet", "xlsx") and args.out is None:
        raise UsageError(f"--format {fmt} writes a binary file: give --out FILE")
    return fmt


def _people_format(path: str) -> str:
    try:
        fmt = output_format(path)
    except ValueError as e:
        raise UsageError(f"--people: {e}") from None
    if fmt not in ("txt", "json", "csv", "parquet", "xlsx"):
        raise UsageError(f"--people writes .csv, .xlsx, .parquet, .json or .txt, not {fmt}")
    return fmt


def _write_xlsx(path: str, sheets: list[tuple[str, Any]]) -> None:
    """A workbook with one sheet per table (rates shown as percentages), written by the Rust
    core (no openpyxl needed)."""
    percent = sorted({c for _, t in sheets for c in t.column_names if c.endswith("_rate")})
    sanjia._sanjia._write_tables_xlsx(path, sheets, percent)


def _policy_table(policy: exams.Policy, label: str) -> Any:
    import pyarrow as pa

    rows = [("source", label)]
    for k, v in policy.to_dict().items():
        if k in ("sources", "notes"):
            continue
        if k == "kinds":
            for kind, o in v.items():
                rows += [(f"kinds.{kind}.{f}", _policy_value(x)) for f, x in o.items()]
            continue
        rows.append((k, _policy_value(v)))
    return pa.table({"field": [r[0] for r in rows], "value": [r[1] for r in rows]})


def _rejections_table(result: exams.ExamResult, files: dict[str, _Records]) -> Any:
    import pyarrow as pa

    rows = result.rejections.to_pylist()
    return pa.table(
        {
            "file": [str(files[r["table"]].path) if r["table"] in files else None for r in rows],
            "table": [r["table"] for r in rows],
            "where": [_problem_where(r, files) for r in rows],
            "reason": [r["reason"] for r in rows],
            "message": [r["message"] for r in rows],
        },
        schema=pa.schema(
            [(c, pa.string()) for c in ("file", "table", "where", "reason", "message")]
        ),
    )


def _write_exam_table(table: Any, out: str, fmt: str, title: str) -> None:
    if fmt == "json":
        text = json.dumps(table.to_pylist(), ensure_ascii=False, indent=2) + "\n"
        _write(out, write_text, out, text)
    elif fmt == "csv":
        _write(out, write_csv, table, out)
    elif fmt == "parquet":
        _write(out, write_parquet, table, out)
    elif fmt == "xlsx":
        _write(out, _write_xlsx, out, [(title, table)])
    else:
        _write(out, write_text, out, "\n".join(_people_grid(table, None)) + "\n")


def _cmd_exams(args: argparse.Namespace) -> int:
    fmt = _exam_format(args)
    people_fmt = None if args.people is None else _people_format(args.people)
    if args.encoding is not None:
        try:
            codecs.lookup(args.encoding)
        except LookupError:
            raise UsageError(f"unknown encoding {args.encoding!r}") from None
    if args.threads is not None and args.threads < 1:
        raise UsageError("--threads is at least 1")
    policy, label = _exam_policy(args)
    files: dict[str, _Records] = {}
    for role, path in (
        ("roster", args.roster),
        ("sittings", args.sittings),
        ("exams", args.exams),
        ("exemptions", args.exemptions),
    ):
        if path is not None:
            files[role] = _read_records(role, path, args.encoding)
    dims = _exam_dims(args, files["roster"].table)
    comps, scores = _components_note(args, files["sittings"].table, policy)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    want_people = fmt in ("text", "xlsx") or args.people is not None
    try:
        result = exams.evaluate(
            files["roster"].table,
            files["sittings"].table,
            exams=files["exams"].table if "exams" in files else None,
            exemptions=files["exemptions"].table if "exemptions" in files else None,
            policy=policy,
            by=dims,
            lenient=args.lenient,
            component_columns=comps,
            reference_date=args.reference_date,
            people=want_people,
            n_threads=args.threads,
            progress=progress,
        )
        summary = result.summary
    except sanjia.ExamsError as e:
        raise _InputError(_exams_error(e, files)) from None

    rejected = result.rejections.to_pylist() if args.lenient else []
    if rejected:
        print(
            f"warning: {len(rejected)} bad row(s) left out (--lenient); the rates are "
            "computed without them:",
            file=sys.stderr,
        )
        for r in rejected[:_SHOWN]:
            print(f"  {_problem_line(r, files)}", file=sys.stderr)
        if len(rejected) > _SHOWN:
            print(f"  ... and {len(rejected) - _SHOWN} more", file=sys.stderr)

    if args.people is not None:
        assert people_fmt is not None
        _write_exam_table(_sorted_people(result.people), args.people, people_fmt, "people 人员")
        print(f"wrote {args.people}", file=sys.stderr)

    if fmt == "text":
        text = _exams_text(result, policy, label, files, scores, args.people)
        if args.out is None:
            _stdout_text(text)
        else:
            _write(args.out, write_text, args.out, text)
    elif fmt == "xlsx":
        sheets = [
            ("summary 汇总", summary),
            ("people 人员", _sorted_people(result.people)),
            ("policy 标准", _policy_table(policy, label)),
        ]
        if rejected:
            sheets.append(("rejected 剔除", _rejections_table(result, files)))
        _write(args.out, _write_xlsx, args.out, sheets)
    elif args.out is not None:
        _write_exam_table(summary, args.out, fmt, "summary 汇总")
    elif fmt == "json":
        print(json.dumps(summary.to_pylist(), ensure_ascii=False, indent=2))
    else:
        _stdout_csv(summary)
    if args.out is not None:
        print(f"wrote {args.out}", file=sys.stderr)

    if args.strict:
        met = summary.select(["participation_met", "pass_met"]).to_pylist()
        if any(v is False for r in met for v in r.values()):
            return EXIT_STRICT
    return EXIT_OK


def _safe_streams() -> None:
    """Never fail on a character the terminal cannot show (e.g. ✓ on a GBK console)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    _safe_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    commands = {"score", "validate", "template", "rulebooks", "show", "gap", "exams"}
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")):
        argv = ["score", *argv]
    args = parser.parse_args(argv)
    handlers = {
        "score": _cmd_score,
        "validate": _cmd_validate,
        "template": _cmd_template,
        "rulebooks": _cmd_rulebooks,
        "show": _cmd_show,
        "gap": _cmd_gap,
        "exams": _cmd_exams,
    }
    try:
        return handlers[args.command](args)
    except UsageError as e:
        print(f"sanjia {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as e:
        if isinstance(e, sanjia.RulebookError):
            print(f"error: {e}", file=sys.stderr)
            return EXIT_RULEBOOK
        if isinstance(e, sanjia.EvidenceError):
            print(f"error: {e}", file=sys.stderr)
            return EXIT_EVIDENCE
        if isinstance(e, sanjia.SanjiaError):
            print(f"error: {e}", file=sys.stderr)
            return EXIT_EVIDENCE
        print(f"sanjia {args.command}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except _WriteFailed as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_WRITE
    except _InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_EVIDENCE
    except _PolicyError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_RULEBOOK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `sanjia score | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
