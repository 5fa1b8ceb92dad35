"""The notebook-style walkthrough in examples/ runs end to end."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

WALKTHROUGH = Path(__file__).resolve().parent.parent / "examples" / "walkthrough.py"


def test_walkthrough_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("openpyxl")
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    out = tmp_path / "out"
    monkeypatch.setenv("SANJIA_WALKTHROUGH_OUT", str(out))
    monkeypatch.chdir(tmp_path)
    runpy.run_path(str(WALKTHROUGH), run_name="__main__")
    printed = capsys.readouterr().out
    assert "甲等 924.39" in printed
    assert "largest deductions:" in printed and "2.2.2 患者住院总死亡率" in printed
    for name in (
        "evidence.xlsx",
        "evidence-filled.xlsx",
        "review-meeting.xlsx",
        "report.html",
        "nodes.parquet",
        "profile.png",
    ):
        assert (out / name).stat().st_size > 0, name
    import matplotlib.pyplot as plt

    plt.close("all")
