"""The ``sanjia`` command line.

Exit codes: 0 success; 2 bad usage; 3 invalid rulebook; 4 invalid evidence (for a batch: at
least one hospital could not be scored); 5 a gate failed or no grade was awarded (only with
``--strict``); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

import sanjia

EXIT_OK = 0
EXIT_RULEBOOK = 3
EXIT_EVIDENCE = 4
EXIT_STRICT = 5
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="sanjia",
        description=(
            "Score hospital accreditation reviews (三级医院评审) against a rulebook, with a "
            "reason for every point. Run without arguments to score the bundled sample "
            "hospital against the default built-in rulebook."
        ),
        epilog=(
            "exit codes: 0 ok, 2 bad usage, 3 invalid rulebook, 4 invalid evidence, "
            "5 failed gate or no grade (with --strict), 130 interrupted"
        ),
    )
    p.add_argument("--version", action="version", version=f"sanjia {sanjia.__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser(
        "score",
        help="score one or more hospitals",
        description=(
            "Score evidence files (.toml / .json) against a rulebook and print the grade, the "
            "decision trace and the deductions. Without evidence files, scores the rulebook's "
            "bundled sample hospital."
        ),
    )
    s.add_argument("evidence", nargs="*", help="evidence files (.toml or .json)")
    s.add_argument(
        "-r",
        "--rulebook",
        default=None,
        help="a built-in rulebook name (see `sanjia rulebooks`) or a rulebook file; "
        "default: the default built-in",
    )
    s.add_argument("--sample", help="score a bundled sample hospital of a built-in rulebook")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s.add_argument(
        "--strict",
        action="store_true",
        help="exit with code 5 when a gate failed or no grade was awarded",
    )
    s.add_argument("--threads", type=int, default=None, help="threads for many hospitals")

    v = sub.add_parser("validate", help="check a rulebook file and report every problem")
    v.add_argument("rulebook", help="a rulebook file or built-in name")

    sub.add_parser("rulebooks", help="list the built-in rulebooks")

    sh = sub.add_parser("show", help="print a rulebook's tree, grades and parameters")
    sh.add_argument("rulebook", help="a built-in name or a rulebook file")
    return p


def _load_rulebook(name: str | None) -> sanjia.Rulebook:
    if name is None:
        return sanjia.Rulebook.builtin()
    return sanjia.as_rulebook(name)


def _cmd_score(args: argparse.Namespace) -> int:
    rb = _load_rulebook(args.rulebook)
    if args.evidence and args.sample:
        print("sanjia score: give evidence files or --sample, not both", file=sys.stderr)
        return 2
    if len(args.evidence) > 1:
        return _score_many(rb, args)
    if args.evidence:
        ev = sanjia.Evidence.load(args.evidence[0])
    else:
        rb_name = args.rulebook or sanjia.Rulebook.builtin_names()[0]
        if rb_name not in sanjia.Rulebook.builtin_names():
            print(
                "sanjia score: give an evidence file (only built-in rulebooks bundle a sample)",
                file=sys.stderr,
            )
            return 2
        ev = sanjia.Evidence.sample(rb_name, args.sample)
    report = sanjia.score(rb, ev)
    if args.json:
        print(report.to_json(indent=2))
    else:
        print(report.explain())
    if args.strict and (report.grade is None or any(g["result"] != "pass" for g in report.gates)):
        return EXIT_STRICT
    return EXIT_OK


def _score_many(rb: sanjia.Rulebook, args: argparse.Namespace) -> int:
    evs: list[sanjia.Evidence] = []
    bad = 0
    for path in args.evidence:
        try:
            evs.append(sanjia.Evidence.load(path))
        except sanjia.EvidenceError as e:
            bad += 1
            print(f"error: {e}", file=sys.stderr)
    result = sanjia.score_batch(rb, evs, n_threads=args.threads, progress=sys.stderr.isatty())
    rows = result.summary().to_pylist()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for r in rows:
            total = "–" if r["total"] is None else f"{r['total']:g}"
            line = f"{r['hospital_id']}\t{r['status']}\t{total}"
            if r["error"]:
                line += f"\t{r['error']}"
            print(line)
    for err in result.errors:
        print(f"error: {err['error']}", file=sys.stderr)
    if bad or result.errors:
        return EXIT_EVIDENCE
    if args.strict and any(r["grade"] is None or r["failed_gates"] for r in rows):
        return EXIT_STRICT
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    rb = sanjia.as_rulebook(args.rulebook)
    print(f"ok: {rb!r}")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    command = args.command or "score"
    if args.command is None:
        args = _parser().parse_args(["score", *(argv or [])])
    handlers = {
        "score": _cmd_score,
        "validate": _cmd_validate,
        "rulebooks": _cmd_rulebooks,
        "show": _cmd_show,
    }
    try:
        return handlers[command](args)
    except sanjia.RulebookError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_RULEBOOK
    except sanjia.EvidenceError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_EVIDENCE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `sanjia score | head`): stop quietly.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
