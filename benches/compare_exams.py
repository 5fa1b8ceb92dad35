"""Compare the 三基 exam check at province scale: sanjia (from Python, on pyarrow tables) vs
idiomatic pandas and polars implementations of the same computation.

    python benches/compare_exams.py [--hospitals 100] [--staff 3000] [--exams 30] [--repeat 3]

Synthetic data (deterministic): ``--hospitals`` hospitals of ``--staff`` staff each (24
departments, 5 categories; 1 in 50 with a per-staff exemption, half of them for a reason the
policy accepts), ``--exams`` exams per hospital that all its staff are expected at, ~97% of
the expected pairs with a sitting (1 in 50 of those absent, score null) and about half of the
first-attempt failures with a make-up. The defaults give the issue's province scale: 100
hospitals, 300,000 staff and about 10 million sittings, shuffled.

The computation, grouped by hospital × exam × department × category: expected (应考),
sat (实考), absent, exempt, participation rate, first and final passes and rates, make-ups,
and whether participation and the judged (first-attempt) pass rate meet their targets. The
pass mark, targets, accepted exemption reasons and make-up counting come from the built-in
policy (``rulebooks/policy/exams-default.toml``) in every implementation.

Each implementation runs in its own process on the same Parquet files (read into its own
in-memory form, not timed), with the same number of threads (pandas: one). The computation is
timed (best of ``--repeat``). Memory: ``work MB`` is what the computation adds to the resident
memory of the loaded process (the high-water mark is reset after loading, and the resident
memory after loading subtracted from the peak during the computation); ``peak/input`` is
(input tables + work) / input tables, the input tables' size being their in-memory size in
each library. (The memory a Parquet reader keeps in its allocator after loading is left out:
it is the reader's, not the computation's.) The results are cross-checked (every count and
flag; rates to 1e-12).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path
from typing import Any

DEPARTMENTS = 24
CATEGORIES = ("医师", "护士", "医技", "药学", "管理")
KEYS = ["hospital_id", "exam_id", "department", "category"]
COUNTS = ["expected", "sat", "absent", "exempt", "first_passed", "final_passed", "makeups"]
RATES = ["participation_rate", "first_pass_rate", "final_pass_rate"]
FLAGS = ["participation_met", "pass_met"]


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Reset the process's resident high-water mark (Linux >= 4.0)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


# ------------------------------------------------------------------------------------- data


def generate(hospitals: int, staff: int, exams: int, seed: int = 42) -> dict[str, Any]:
    """roster, exams and sittings as pyarrow tables."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng(seed)
    n_staff = hospitals * staff
    h_of_staff = np.repeat(np.arange(hospitals), staff)
    s_in_h = np.tile(np.arange(staff), hospitals)
    hosp_names = pa.array([f"H{h:03d}" for h in range(hospitals)])
    staff_ids = pc.binary_join_element_wise(
        pc.take(hosp_names, pa.array(h_of_staff)),
        pa.array([f"S{i:05d}" for i in range(staff)]).take(pa.array(s_in_h)),
        "-",
    )
    depts = pa.array([f"科室{d:02d}" for d in range(DEPARTMENTS)])
    cats = pa.array(CATEGORIES)
    reasons = pa.array([None, "产假", "事假"])
    r_reason = np.where(rng.random(n_staff) < 0.02, rng.integers(1, 3, n_staff), 0)
    roster = pa.table(
        {
            "staff_id": staff_ids,
            "hospital_id": pc.take(hosp_names, pa.array(h_of_staff)),
            "department": pc.take(depts, pa.array(rng.integers(0, DEPARTMENTS, n_staff))),
            "category": pc.take(cats, pa.array(rng.integers(0, len(CATEGORIES), n_staff))),
            "exempt_reason": pc.take(reasons, pa.array(r_reason)),
        }
    )
    n_exams = hospitals * exams
    e_h = np.repeat(np.arange(hospitals), exams)
    e_i = np.tile(np.arange(exams), hospitals)
    exam_ids = pc.binary_join_element_wise(
        pc.take(hosp_names, pa.array(e_h)),
        pa.array([f"E{e:02d}" for e in range(exams)]).take(pa.array(e_i)),
        "-",
    )
    exam_table = pa.table(
        {
            "exam_id": exam_ids,
            "hospital_id": pc.take(hosp_names, pa.array(e_h)),
            "kind": pa.array(np.where(e_i % 3 == 0, "三基操作", "三基理论")),
        }
    )
    # Expected pairs: every exam of a hospital with every staff member of it.
    pair_staff = (np.repeat(e_h, staff) * staff + np.tile(np.arange(staff), n_exams)).astype(
        np.int64
    )
    pair_exam = np.repeat(np.arange(n_exams), staff)
    keep = rng.random(pair_staff.size) >= 0.03  # 3% have no sitting row at all
    pair_staff, pair_exam = pair_staff[keep], pair_exam[keep]
    n = pair_staff.size
    score = np.round(rng.uniform(35, 100, n), 1)
    present = rng.random(n) >= 0.02
    makeup = present & (score < 60) & (rng.random(n) < 0.5)
    m_score = np.round(rng.uniform(50, 100, int(makeup.sum())), 1)
    staff_idx = np.concatenate([pair_staff, pair_staff[makeup]])
    exam_idx = np.concatenate([pair_exam, pair_exam[makeup]])
    attempt = np.concatenate([np.ones(n, np.int8), np.full(int(makeup.sum()), 2, np.int8)])
    scores = np.concatenate([score, m_score])
    valid = np.concatenate([present, np.ones(int(makeup.sum()), bool)])
    order = rng.permutation(staff_idx.size)
    sittings = pa.table(
        {
            "staff_id": pc.take(staff_ids, pa.array(staff_idx[order])),
            "exam_id": pc.take(exam_ids, pa.array(exam_idx[order])),
            "attempt": pa.array(attempt[order]),
            "score": pa.array(scores[order], mask=~valid[order]),
        }
    )
    return {"roster": roster, "exams": exam_table, "sittings": sittings}


def policy_numbers() -> dict[str, Any]:
    """The deciding numbers, from sanjia's built-in policy data (not literals)."""
    from sanjia import exams

    p = exams.Policy.builtin()

    def target(t: str) -> Fraction:
        op, value = t.split()
        assert op == ">=", t
        return Fraction(value.rstrip("%")) / 100

    return {
        "pass_mark": float(p.pass_mark),
        "makeup_counts": p.makeup_counts,
        "judge": p.judge,
        "accepted": list(p.exempt_reasons),
        "participation": target(p.participation_target),
        "pass": target(p.pass_target),
    }


# -------------------------------------------------------------------------- implementations


def load_sanjia(paths: dict[str, Path]) -> Any:
    import pyarrow.parquet as pq

    return {k: pq.read_table(v) for k, v in paths.items()}


def run_sanjia(data: Any, pol: dict[str, Any], threads: int) -> Any:
    from sanjia import exams

    res = exams.evaluate(
        data["roster"],
        data["sittings"],
        exams=data["exams"],
        by=KEYS,
        people=False,
        n_threads=threads,
    )
    return res.summary


def load_pandas(paths: dict[str, Path]) -> Any:
    import pandas as pd

    return {k: pd.read_parquet(v) for k, v in paths.items()}


def run_pandas(data: Any, pol: dict[str, Any], threads: int) -> Any:
    import numpy as np

    roster, sittings, exams = data["roster"], data["sittings"], data["exams"]
    pm = pol["pass_mark"]
    s = sittings.assign(
        sat=sittings["score"].notna(),
        first_ok=(sittings["attempt"] == 1) & (sittings["score"] >= pm),
        makeup_ok=(sittings["attempt"] >= 2) & (sittings["score"] >= pm),
        makeup=(sittings["attempt"] >= 2) & sittings["score"].notna(),
    )
    per = s.groupby(["exam_id", "staff_id"], sort=False)[
        ["sat", "first_ok", "makeup_ok", "makeup"]
    ].any()
    pairs = exams[["exam_id", "hospital_id"]].merge(roster, on="hospital_id")
    pairs = pairs.merge(per, left_on=["exam_id", "staff_id"], right_index=True, how="left")
    for c in ["sat", "first_ok", "makeup_ok", "makeup"]:
        pairs[c] = pairs[c].fillna(False).astype(bool)
    accepted = pairs["exempt_reason"].isin(pol["accepted"])
    pairs["exempt"] = accepted & ~pairs["sat"]
    pairs["expected"] = ~pairs["exempt"]
    pairs["first_passed"] = pairs["first_ok"]
    pairs["final_passed"] = pairs["first_ok"] | (pairs["makeup_ok"] & pol["makeup_counts"])
    pairs["makeups"] = pairs["makeup"]
    g = (
        pairs.groupby(KEYS, sort=True, observed=True)[
            ["expected", "sat", "exempt", "first_passed", "final_passed", "makeups"]
        ]
        .sum()
        .reset_index()
    )
    g["absent"] = g["expected"] - g["sat"]
    g["participation_rate"] = (g["sat"] / g["expected"]).where(g["expected"] > 0)
    g["first_pass_rate"] = (g["first_passed"] / g["sat"]).where(g["sat"] > 0)
    g["final_pass_rate"] = (g["final_passed"] / g["sat"]).where(g["sat"] > 0)
    pt, st = pol["participation"], pol["pass"]
    judged = g["first_passed"] if pol["judge"] == "first" else g["final_passed"]
    # Exact: num/den >= p/q  <=>  num*q >= p*den (integers).
    g["participation_met"] = (g["sat"] * pt.denominator >= pt.numerator * g["expected"]).where(
        g["expected"] > 0
    )
    g["pass_met"] = (judged * st.denominator >= st.numerator * g["sat"]).where(g["sat"] > 0)
    return g.replace({np.nan: None})


def load_polars(paths: dict[str, Path]) -> Any:
    import polars as pl

    return {k: pl.read_parquet(v) for k, v in paths.items()}


def run_polars(data: Any, pol: dict[str, Any], threads: int) -> Any:
    import polars as pl

    roster, sittings, exams = data["roster"], data["sittings"], data["exams"]
    pm = pol["pass_mark"]
    per = sittings.group_by(["exam_id", "staff_id"]).agg(
        sat=pl.col("score").is_not_null().any(),
        first_ok=((pl.col("attempt") == 1) & (pl.col("score") >= pm)).any(),
        makeup_ok=((pl.col("attempt") >= 2) & (pl.col("score") >= pm)).any(),
        makeup=((pl.col("attempt") >= 2) & pl.col("score").is_not_null()).any(),
    )
    pt, st = pol["participation"], pol["pass"]
    pairs = (
        exams.select("exam_id", "hospital_id")
        .join(roster, on="hospital_id")
        .join(per, on=["exam_id", "staff_id"], how="left")
        .with_columns(pl.col("sat", "first_ok", "makeup_ok", "makeup").fill_null(False))
        .with_columns(
            exempt=pl.col("exempt_reason").is_in(pol["accepted"]).fill_null(False) & ~pl.col("sat")
        )
        .with_columns(
            expected=~pl.col("exempt"),
            first_passed=pl.col("first_ok"),
            final_passed=pl.col("first_ok") | (pl.col("makeup_ok") & pol["makeup_counts"]),
        )
    )
    judged = "first_passed" if pol["judge"] == "first" else "final_passed"
    g = (
        pairs.group_by(KEYS)
        .agg(
            expected=pl.col("expected").sum(),
            sat=pl.col("sat").sum(),
            exempt=pl.col("exempt").sum(),
            first_passed=pl.col("first_passed").sum(),
            final_passed=pl.col("final_passed").sum(),
            makeups=pl.col("makeup").sum(),
        )
        .with_columns(absent=pl.col("expected") - pl.col("sat"))
        .with_columns(
            participation_rate=pl.when(pl.col("expected") > 0).then(
                pl.col("sat") / pl.col("expected")
            ),
            first_pass_rate=pl.when(pl.col("sat") > 0).then(pl.col("first_passed") / pl.col("sat")),
            final_pass_rate=pl.when(pl.col("sat") > 0).then(pl.col("final_passed") / pl.col("sat")),
            participation_met=pl.when(pl.col("expected") > 0).then(
                pl.col("sat") * pt.denominator >= pl.col("expected") * pt.numerator
            ),
            pass_met=pl.when(pl.col("sat") > 0).then(
                pl.col(judged) * st.denominator >= pl.col("sat") * st.numerator
            ),
        )
        .sort(KEYS)
    )
    return g


IMPLS = {
    "sanjia": (load_sanjia, run_sanjia),
    "pandas": (load_pandas, run_pandas),
    "polars": (load_polars, run_polars),
}


def in_memory_mb(impl: str, data: Any) -> float:
    if impl == "sanjia":
        return sum(t.nbytes for t in data.values()) / 2**20
    if impl == "polars":
        return sum(t.estimated_size() for t in data.values()) / 2**20
    return sum(int(t.memory_usage(deep=True).sum()) for t in data.values()) / 2**20


def as_columns(impl: str, out: Any) -> dict[str, list[Any]]:
    """The result as {column: values}, rows sorted by the keys."""
    if impl == "pandas":
        out = out.sort_values(KEYS)
        return {c: out[c].tolist() for c in KEYS + COUNTS + RATES + FLAGS}
    if impl == "polars":
        return {c: out[c].to_list() for c in KEYS + COUNTS + RATES + FLAGS}
    t = out.sort_by([(k, "ascending") for k in KEYS])
    return {c: t.column(c).to_pylist() for c in KEYS + COUNTS + RATES + FLAGS}


def child(args: argparse.Namespace) -> None:
    """Run one implementation on the Parquet files; print timing, memory and results."""
    if args.impl == "polars":
        os.environ["POLARS_MAX_THREADS"] = str(args.threads)
    import pyarrow as pa

    load, run = IMPLS[args.impl]
    pol = policy_numbers()
    import numpy  # noqa: F401  (import the libraries before measuring)
    import pyarrow.parquet

    if args.impl == "polars":
        import polars  # noqa: F401
    if args.impl == "pandas":
        import pandas  # noqa: F401
    before = rss_mb()
    paths = {k: Path(args.data) / f"{k}.parquet" for k in ("roster", "exams", "sittings")}
    data = load(paths)
    pa.default_memory_pool().release_unused()
    input_mb = in_memory_mb(args.impl, data)
    loaded = rss_mb()
    best = float("inf")
    out = None
    peaks = []
    for _ in range(args.repeat):
        out = None
        reset_peak()
        t0 = time.perf_counter()
        out = run(data, pol, args.threads)
        best = min(best, time.perf_counter() - t0)
        peaks.append(peak_mb())
    cols = as_columns(args.impl, out)
    with open(args.out, "w") as f:
        json.dump(cols, f)
    print(
        json.dumps(
            {
                "impl": args.impl,
                "threads": args.threads,
                "seconds": best,
                "input_mb": input_mb,
                "loaded_mb": loaded - before,
                "work_mb": max(0.0, min(peaks) - loaded),
                "groups": len(cols["expected"]),
            }
        )
    )


def compare(ref: dict[str, list[Any]], other: dict[str, list[Any]]) -> str:
    if len(ref["expected"]) != len(other["expected"]):
        return f"NO ({len(other['expected'])} groups vs {len(ref['expected'])})"
    for c in KEYS + COUNTS + FLAGS:
        if [None if v is None else (bool(v) if c in FLAGS else v) for v in other[c]] != ref[c]:
            bad = next(i for i, (a, b) in enumerate(zip(ref[c], other[c], strict=True)) if a != b)
            return f"NO ({c} differs, row {bad}: {ref[c][bad]} vs {other[c][bad]})"
    for c in RATES:
        for a, b in zip(ref[c], other[c], strict=True):
            if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-12):
                return f"NO ({c}: {a} vs {b})"
    return "yes"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--hospitals", type=int, default=100)
    p.add_argument("--staff", type=int, default=3000, help="staff per hospital")
    p.add_argument("--exams", type=int, default=30, help="exams per hospital")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--pandas-repeat", type=int, default=1, help="repeats for pandas (slow)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--impls", default="sanjia,polars,pandas")
    p.add_argument("--impl", help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.impl:
        child(args)
        return

    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    tables = generate(args.hospitals, args.staff, args.exams)
    n_sit = tables["sittings"].num_rows
    mb = sum(t.nbytes for t in tables.values()) / 2**20
    print(
        f"data: {args.hospitals} hospitals, {tables['roster'].num_rows:,} staff, "
        f"{tables['exams'].num_rows:,} exams, {n_sit:,} sittings ({mb:.0f} MB as Arrow), "
        f"generated in {time.perf_counter() - t0:.1f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for k, t in tables.items():
            pq.write_table(t, Path(tmp) / f"{k}.parquet")
        del tables
        runs = []
        plan = [(impl, args.threads if impl != "pandas" else 1) for impl in args.impls.split(",")]
        if "sanjia" in args.impls and args.threads != 1:
            plan.append(("sanjia", 1))
        for impl, threads in plan:
            out = Path(tmp) / f"{impl}-{threads}.json"
            cmd = [
                sys.executable,
                __file__,
                "--impl",
                impl,
                "--data",
                tmp,
                "--out",
                str(out),
                "--threads",
                str(threads),
                "--repeat",
                str(args.pandas_repeat if impl == "pandas" else args.repeat),
            ]
            res = subprocess.run(cmd, capture_output=True, text=True)
            if res.returncode != 0:
                print(f"{impl} failed:\n{res.stderr}", file=sys.stderr)
                continue
            r = json.loads(res.stdout.strip().splitlines()[-1])
            r["cols"] = json.loads(out.read_text())
            runs.append(r)
            print(f"  {impl} ({threads} thr): {r['seconds']:.2f} s", flush=True)
    ref = next(r for r in runs if r["impl"] == "sanjia" and r["threads"] == args.threads)
    print(
        f"\n{'implementation':<18}{'seconds':>9}{'x sanjia':>10}{'input MB':>10}"
        f"{'work MB':>9}{'peak/input':>12}  agree"
    )
    for r in runs:
        name = f"{r['impl']} ({r['threads']} thr)"
        print(
            f"{name:<18}{r['seconds']:>9.2f}{r['seconds'] / ref['seconds']:>10.1f}"
            f"{r['input_mb']:>10.0f}{r['work_mb']:>9.0f}"
            f"{(r['input_mb'] + r['work_mb']) / r['input_mb']:>12.2f}"
            f"  {compare(ref['cols'], r['cols'])}"
        )
    print(
        "\nwork MB: resident memory the computation adds to the loaded process; peak/input: "
        "(input + work) / input;\nx sanjia: time over sanjia's with the same threads "
        f"({args.threads}); {ref['groups']:,} groups"
    )


if __name__ == "__main__":
    main()
