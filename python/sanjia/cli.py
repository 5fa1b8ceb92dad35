"""The ``sanjia`` command line.

Commands: ``score`` (the default), ``validate``, ``template``, ``rulebooks``, ``show``. See
``sanjia --help``, ``sanjia COMMAND --help`` and ``docs/cli.md``.

Exit codes: 0 success; 1 an output file could not be written; 2 bad usage; 3 invalid
rulebook; 4 invalid evidence (for a batch: at least one hospital could not be scored); 5 a
gate failed or no grade was awarded (only with ``--strict``); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import sanjia
from sanjia._output import FORMATS, output_format, write_batch, write_report
from sanjia._tables import is_table_path, read_table

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
  3    the rulebook is invalid
  4    the evidence is invalid (in a batch: at least one hospital could not be scored)
  5    a gate failed or no grade was awarded (only with --strict)
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
            "A provincial batch: sanjia score --table evidence.csv -o results.xlsx\n\n"
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
        help="a long-format evidence table (.csv, .parquet, .arrow) of many hospitals; "
        "may be repeated",
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
    return p


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
    commands = {"score", "validate", "template", "rulebooks", "show", "gap"}
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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `sanjia score | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
