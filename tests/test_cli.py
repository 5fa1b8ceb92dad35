"""The `sanjia` console script, run as users run it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SANJIA = shutil.which("sanjia")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [SANJIA] if SANJIA else [sys.executable, "-m", "sanjia.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120)


def test_default_runs_the_main_job() -> None:
    r = run()
    assert r.returncode == 0, r.stderr
    assert "Result: 甲等" in r.stdout
    assert "Deductions" in r.stdout
    assert run("score").stdout == r.stdout


def test_json_output() -> None:
    r = run("score", "--sample", "grade-b", "--json")
    assert r.returncode == 0
    d = json.loads(r.stdout)
    assert d["grade"] == "乙等" and d["hospital"] == "H002"


def test_strict_exit_codes() -> None:
    assert run("score", "--sample", "deferred").returncode == 0
    r = run("score", "--sample", "deferred", "--strict")
    assert r.returncode == 5
    assert "not graded" in r.stdout


def test_bad_rulebook_exit_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[rulebook]\nid = "x"\ntitle = "x"\n[[node]]\nid = "a"\ntitle = "a"\nparent = "zz"\n'
    )
    r = run("validate", str(bad))
    assert r.returncode == 3
    assert "unknown parent" in r.stderr and "node[0].parent" in r.stderr and str(bad) in r.stderr
    assert run("validate", "demo").returncode == 0


def test_bad_evidence_exit_4(tmp_path: Path) -> None:
    r = run("score", str(tmp_path / "missing.toml"))
    assert r.returncode == 4
    assert "cannot read" in r.stderr
    bad = tmp_path / "h.toml"
    bad.write_text('hospital = "H1"\n[articles]\n"3.1.1" = "Q"\n')
    r = run("score", str(bad))
    assert r.returncode == 4 and "3.1.1" in r.stderr


def test_many_files(tmp_path: Path) -> None:
    import sanjia

    paths = []
    for name in ("sample", "grade-b"):
        p = tmp_path / f"{name}.json"
        p.write_text(json.dumps(sanjia.Evidence.sample("demo", name).to_dict(), ensure_ascii=False))
        paths.append(str(p))
    r = run("score", *paths)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("H001\t甲等") and lines[1].startswith("H002\t乙等")


def test_rulebooks_and_show() -> None:
    r = run("rulebooks")
    assert r.returncode == 0 and r.stdout.startswith("demo")
    r = run("show", "demo")
    assert r.returncode == 0
    assert "2.2.7" in r.stdout and "total >= $grade_a_total" in r.stdout


@pytest.mark.parametrize("args", [["--help"], ["score", "--help"]])
def test_help(args: list[str]) -> None:
    r = run(*args)
    assert r.returncode == 0 and "rulebook" in r.stdout


# ---------------------------------------------------------------- issue 5: files in and out


def _sample_json(tmp_path: Path, name: str = "sample") -> Path:
    import sanjia

    p = tmp_path / f"{name}.json"
    p.write_text(
        json.dumps(sanjia.Evidence.sample("demo", name).to_dict(), ensure_ascii=False),
        encoding="utf-8",
    )
    return p


def test_template_then_score_the_workbook(tmp_path: Path) -> None:
    out = tmp_path / "evidence.xlsx"
    r = run("template", "-r", "demo", "-o", str(out), "--periods", "2022,2023,2024")
    assert r.returncode == 0, r.stderr
    assert out.exists() and "sanjia score" in r.stderr
    # A blank workbook: the hospital id is missing, and the message says where.
    r = run("score", str(out))
    assert r.returncode == 4
    assert 'sheet "说明 readme", row 3, column B' in r.stderr
    # Never overwrite a workbook that may be filled in.
    r = run("template", "-r", "demo", "-o", str(out))
    assert r.returncode == 2 and "--force" in r.stderr
    # Filled from last round's evidence: scores like the TOML, with the rulebook it names.
    src = _sample_json(tmp_path)
    r = run("template", "-r", "demo", "--from", str(src), "-o", str(out), "--force")
    assert r.returncode == 0, r.stderr
    r = run("score", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == run("score", "--sample", "sample").stdout
    r = run("validate", "demo", str(out))
    assert r.returncode == 0 and f"ok: {out} (hospital H001)" in r.stdout
    r = run("template", "-r", "demo", "-o", str(tmp_path / "t.csv"))
    assert r.returncode == 2 and ".xlsx" in r.stderr


def test_score_formats_and_out(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    src = _sample_json(tmp_path, "grade-b")
    r = run("score", str(src), "--format", "html")
    assert r.returncode == 0 and r.stdout.startswith("<!DOCTYPE html>") and "乙等" in r.stdout
    r = run("score", str(src), "-f", "csv")
    assert r.returncode == 0 and r.stdout.startswith('"hospital_id"')
    r = run("score", str(src), "--format", "xlsx")
    assert r.returncode == 2 and "--out" in r.stderr
    for ext in ("xlsx", "parquet", "html", "json", "csv", "txt"):
        out = tmp_path / f"report.{ext}"
        r = run("score", str(src), "-o", str(out))
        assert r.returncode == 0, r.stderr
        assert out.stat().st_size > 0 and f"wrote {out}" in r.stderr
    assert pq.read_table(tmp_path / "report.parquet").num_rows > 10
    assert json.loads((tmp_path / "report.json").read_text("utf-8"))["grade"] == "乙等"
    assert (tmp_path / "report.txt").read_text("utf-8").startswith("Hospital H002")
    r = run("score", str(src), "-o", str(tmp_path / "nowhere" / "r.xlsx"))
    assert r.returncode == 1 and "cannot write" in r.stderr


def _evidence_csv(tmp_path: Path, encoding: str = "utf-8-sig") -> Path:
    import sanjia
    from conftest import evidence_rows

    rows = [
        r
        for n in sanjia.Evidence.sample_names("demo")
        for r in evidence_rows(sanjia.Evidence.sample("demo", n))
    ]
    cols = list(rows[0])
    lines = [",".join(cols)]
    for r in rows:
        cell = (
            {"pass": "通过", "fail": "不通过"}.get(r["level"], r["level"]) if r["level"] else None
        )
        r = {**r, "level": cell}
        lines.append(",".join("" if r[c] is None else str(r[c]) for c in cols))
    p = tmp_path / f"evidence-{encoding}.csv"
    p.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return p


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_batch_table_csv_encodings(tmp_path: Path, encoding: str) -> None:
    csv = _evidence_csv(tmp_path, encoding)
    args = ["score", "--table", str(csv)]
    if encoding == "gb18030":
        r = run(*args)
        assert r.returncode == 4 and "--encoding gb18030" in r.stderr, r.stderr
        args += ["--encoding", "gb18030"]
    r = run(*args)
    assert r.returncode == 0, r.stderr
    import sanjia

    lines = r.stdout.strip().splitlines()
    want = [
        [e.hospital, sanjia.score("demo", e).status]
        for e in (sanjia.Evidence.sample("demo", n) for n in sanjia.Evidence.sample_names("demo"))
    ]
    assert [x.split("\t")[:2] for x in lines] == want
    assert any("not graded" in w[1] for w in want) and any("lowered" in w[1] for w in want)
    assert run(*args, "--strict").returncode == 5
    out = tmp_path / "results.xlsx"
    r = run(*args, "-o", str(out), "--progress")
    assert r.returncode == 0 and out.exists()
    assert "scoring" in r.stderr  # the progress bar
    r = run(str(csv), *args[3:], "--nodes", "-f", "json")  # a table given as a plain argument
    assert r.returncode == 0 and len(json.loads(r.stdout)) > 4


def test_toml_evidence_in_gb18030(tmp_path: Path) -> None:
    gates = "".join(f'"{g}" = "通过"\n' for g in ("1.1.1", "1.1.2", "1.2.1", "1.3.1", "1.3.2"))
    text = f'hospital = "H1"\nname = "示例医院"\n[gates]\n{gates}[articles]\n"3.1.1" = "优秀"\n'
    p = tmp_path / "h.toml"
    p.write_bytes(text.encode("gb18030"))
    r = run("score", str(p))
    assert r.returncode == 4 and "not UTF-8" in r.stderr and "--encoding gb18030" in r.stderr
    r = run("score", str(p), "--encoding", "gb18030", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["hospital"] == "H1"
    r = run("score", str(p), "--encoding", "gb18030")
    assert "Hospital H1" in r.stdout
    bad = tmp_path / "bad.toml"
    bad.write_bytes('hospital = "H2"\n[articles]\n"3.1.1" = "优"\n'.encode("gb18030"))
    r = run("score", str(bad), "--encoding", "gb18030")
    assert r.returncode == 4 and str(bad) in r.stderr and "3.1.1" in r.stderr
    r = run("score", str(p), "--encoding", "no-such-codec")
    assert r.returncode == 2 and "unknown encoding" in r.stderr
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert run("score", str(bom)).returncode == 0


def test_bad_inputs_and_exit_codes(tmp_path: Path) -> None:
    src = _sample_json(tmp_path)
    assert run("score", str(src), "--table", str(tmp_path / "t.csv")).returncode == 2
    assert run("score", str(src), "--sample", "grade-b").returncode == 2
    assert run("score", "--table", str(tmp_path / "missing.csv")).returncode == 4
    assert run("score", "--frobnicate").returncode == 2
    assert run("score", str(src), "-r", str(tmp_path / "nope.toml")).returncode == 3
    bad_xlsx = tmp_path / "bad.xlsx"
    bad_xlsx.write_text("not a workbook")
    r = run("score", str(bad_xlsx))
    assert r.returncode == 4 and "bad.xlsx" in r.stderr
    r = run("validate", "demo", str(src), str(bad_xlsx))
    assert r.returncode == 4 and "ok: " in r.stdout and "bad.xlsx" in r.stderr
    # Several files: the good ones are scored, the bad one is reported, exit 4.
    r = run("score", str(src), str(bad_xlsx))
    assert r.returncode == 4 and r.stdout.startswith("H001")


def test_ctrl_c_stops_a_batch_cleanly(tmp_path: Path) -> None:
    import signal
    import time

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq
    import sanjia
    from conftest import evidence_rows

    base = pa.Table.from_pylist(evidence_rows(sanjia.Evidence.sample("demo")))
    n, k = 150_000, base.num_rows
    big = base.take(np.tile(np.arange(k), n))
    ids = pa.array(np.char.add("H", np.repeat(np.arange(n), k).astype(str)))
    big = big.set_column(0, "hospital_id", ids)
    path = tmp_path / "big.parquet"
    pq.write_table(big, path)
    cmd = [SANJIA] if SANJIA else [sys.executable, "-m", "sanjia.cli"]
    proc = subprocess.Popen(
        [*cmd, "score", "--table", str(path), "--progress", "-o", str(tmp_path / "r.csv")],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    seen = b""
    while b"scoring" not in seen and time.monotonic() < deadline:
        seen += proc.stderr.read1(100) or b""
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (seen + err).decode(errors="replace")[-2000:]
    assert b"interrupted" in err
    assert not (tmp_path / "r.csv").exists()


def test_help_a_quality_manager_can_follow() -> None:
    r = run("--help")
    assert r.returncode == 0
    for word in ("template", "validate", "score", "rulebooks", "show", "exit codes", "130"):
        assert word in r.stdout, word
    r = run("score", "--help")
    for word in ("--table", "--format", "--out", "--encoding", "--strict", "gb18030", "xlsx"):
        assert word in r.stdout, word
    r = run("template", "--help")
    assert r.returncode == 0 and "--periods" in r.stdout and "--from" in r.stdout


def test_a_workbook_for_another_rulebook_asks_for_it(tmp_path: Path) -> None:
    import sanjia

    rb = sanjia.Rulebook.from_toml(
        sanjia.Rulebook.builtin("demo").to_toml().replace('id = "demo"', 'id = "my-province"', 1)
    )
    out = tmp_path / "e.xlsx"
    rb.write_template(out, evidence=sanjia.Evidence.sample("demo"))
    r = run("score", str(out))
    assert r.returncode == 2 and "my-province" in r.stderr and "--rulebook" in r.stderr
    src = tmp_path / "my-province.toml"
    src.write_text(rb.to_toml(), encoding="utf-8")
    assert run("score", str(out), "-r", str(src)).returncode == 0
