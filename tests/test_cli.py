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
