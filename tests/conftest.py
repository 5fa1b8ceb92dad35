"""Shared helpers for the Python tests."""

from __future__ import annotations

from typing import Any

import pytest
import sanjia


def evidence_rows(ev: sanjia.Evidence) -> list[dict[str, Any]]:
    """An Evidence as long-format rows (hospital_id, criterion_id, period, value, numerator,
    denominator, level)."""
    d = ev.to_dict()
    rows: list[dict[str, Any]] = []

    def row(**kw: Any) -> None:
        base: dict[str, Any] = {
            "hospital_id": d["hospital"],
            "criterion_id": None,
            "period": None,
            "value": None,
            "numerator": None,
            "denominator": None,
            "level": None,
        }
        base.update(kw)
        rows.append(base)

    for cid, passed in d["gates"].items():
        row(criterion_id=cid, level="pass" if passed else "fail")
    for cid, level in d["articles"].items():
        row(criterion_id=cid, level=level)
    for cid, result in d["elements"].items():
        row(criterion_id=cid, level=result)
    for cid, series in d["indicators"].items():
        for period, obs in series.items():
            if isinstance(obs, dict):
                row(
                    criterion_id=cid,
                    period=period or None,
                    numerator=float(obs["numerator"]),
                    denominator=float(obs["denominator"]),
                )
            else:
                row(criterion_id=cid, period=period or None, value=float(obs))
    return rows


@pytest.fixture(scope="session")
def demo() -> sanjia.Rulebook:
    return sanjia.Rulebook.builtin("demo")


@pytest.fixture(scope="session")
def samples() -> list[sanjia.Evidence]:
    return [sanjia.Evidence.sample("demo", n) for n in sanjia.Evidence.sample_names("demo")]
