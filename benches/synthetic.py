"""Synthetic province-scale data for the comparison benches (deterministic, numpy-based).

A rulebook of ``n_criteria`` criteria (one gate, ``n_indicators`` threshold indicators with 3
periods each, the rest articles, 1 in 8 core) and a long-format evidence table of
``n_hospitals`` hospitals with columns hospital_id, criterion_id, period, value, level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

PERIODS = ("2022", "2023", "2024")
LEVEL_POINTS = {"A": 4, "B": 3, "C": 2, "D": 0}
INDICATOR_POINTS = 4


@dataclass
class Spec:
    """What the synthetic rulebook contains, as plain arrays (for the pandas/polars baselines)."""

    toml: str
    criteria: pa.Table  # criterion_id, kind, part, core, target, max_points


def rulebook(n_criteria: int = 700, n_indicators: int = 70) -> Spec:
    n_articles = n_criteria - n_indicators - 1
    rng = np.random.default_rng(7)
    targets = np.round(rng.uniform(80, 95, n_indicators), 1)
    lines = [
        "[rulebook]",
        'id = "bench"',
        'title = "synthetic bench rulebook"',
        "[rulebook.flags]",
        'core = "core article"',
        "[defaults]",
        "article_points = { A = 4, B = 3, C = 2, D = 0 }",
        "[rounding]",
        "places = 2",
        'mode = "half-up"',
        'at = "total"',
        "[total]",
        'aggregate = "weighted"',
        "max_points = 1000",
        "[[outcome]]",
        'id = "defer"',
        'title = "deferred"',
        'effect = "no-grade"',
        "[[node]]",
        'id = "P1"',
        'title = "gates"',
        "[[node]]",
        'id = "G1"',
        'parent = "P1"',
        'kind = "gate"',
        'title = "gate"',
        'on_fail = "defer"',
        "[[node]]",
        'id = "P2"',
        'title = "monitoring data"',
        "weight = 600",
        "[[node]]",
        'id = "P3"',
        'title = "on-site"',
        "weight = 400",
    ]
    ids, kinds, parts, cores, tgts, maxes = ["G1"], ["gate"], ["P1"], [False], [np.nan], [0.0]
    for i in range(n_indicators):
        cid = f"I{i:04d}"
        if i % 10 == 0:
            lines += ["[[node]]", f'id = "P2.{i // 10}"', 'parent = "P2"', 'title = "chapter"']
        lines += [
            "[[node]]",
            f'id = "{cid}"',
            f'parent = "P2.{i // 10}"',
            'kind = "indicator"',
            'title = "indicator"',
            'unit = "%"',
            'method = "threshold"',
            f'target = ">= {targets[i]}"',
            f"max_points = {INDICATOR_POINTS}",
        ]
        ids.append(cid)
        kinds.append("indicator")
        parts.append("P2")
        cores.append(False)
        tgts.append(float(targets[i]))
        maxes.append(float(INDICATOR_POINTS))
    for i in range(n_articles):
        cid = f"A{i:04d}"
        if i % 20 == 0:
            lines += ["[[node]]", f'id = "P3.{i // 20}"', 'parent = "P3"', 'title = "chapter"']
        core = i % 8 == 0
        lines += [
            "[[node]]",
            f'id = "{cid}"',
            f'parent = "P3.{i // 20}"',
            'kind = "article"',
            'title = "article"',
        ]
        if core:
            lines.append('flags = ["core"]')
        ids.append(cid)
        kinds.append("article")
        parts.append("P3")
        cores.append(core)
        tgts.append(np.nan)
        maxes.append(4.0)
    lines += [
        "[[grade]]",
        'id = "A"',
        'when = ["no gate failed", "total >= 900", "share(core articles, >= C) >= 100%",'
        ' "share(core articles, >= B) >= 70%"]',
        "[[grade]]",
        'id = "B"',
        'when = ["total >= 750", "share(core articles, >= C) >= 100%"]',
        "[[grade]]",
        'id = "C"',
        'when = ["total >= 600"]',
        "[[grade]]",
        'id = "D"',
    ]
    criteria = pa.table(
        {
            "criterion_id": ids,
            "kind": kinds,
            "part": parts,
            "core": cores,
            "target": tgts,
            "max_points": maxes,
        }
    )
    return Spec("\n".join(lines) + "\n", criteria)


def evidence(spec: Spec, n_hospitals: int, seed: int = 1) -> pa.Table:
    """The long-format evidence table: one row per gate / article, three per indicator."""
    rng = np.random.default_rng(seed)
    crit = spec.criteria.to_pydict()
    kinds = np.array(crit["kind"])
    ind_ids = np.array(crit["criterion_id"])[kinds == "indicator"]
    art_ids = np.array(crit["criterion_id"])[kinds == "article"]
    targets = np.array(crit["target"])[kinds == "indicator"]
    n_ind, n_art = len(ind_ids), len(art_ids)
    per = 1 + 3 * n_ind + n_art
    hospitals = np.array([f"H{h:06d}" for h in range(n_hospitals)], dtype=object)

    hosp = np.repeat(hospitals, per)
    cid = np.tile(
        np.concatenate([["G1"], np.repeat(ind_ids, 3), art_ids]).astype(object), n_hospitals
    )
    period = np.tile(
        np.concatenate([[None], np.tile(np.array(PERIODS, dtype=object), n_ind), [None] * n_art]),
        n_hospitals,
    )
    # Indicator values around their targets, one decimal, in %.
    vals = np.round(
        np.repeat(targets, 3)[None, :] + rng.normal(2.0, 6.0, (n_hospitals, 3 * n_ind)), 1
    ).clip(0, 100)
    value = np.full((n_hospitals, per), np.nan)
    value[:, 1 : 1 + 3 * n_ind] = vals
    # Article levels: mostly B/C, some A, few D, a few E; most hospitals pass the gate.
    levels = rng.choice(
        np.array(["A", "B", "C", "D", "E"], dtype=object),
        size=(n_hospitals, n_art),
        p=[0.25, 0.45, 0.24, 0.01, 0.05],
    )
    gate = np.where(rng.random(n_hospitals) < 0.02, "fail", "pass").astype(object)
    level = np.full((n_hospitals, per), None, dtype=object)
    level[:, 0] = gate
    level[:, 1 + 3 * n_ind :] = levels
    return pa.table(
        {
            "hospital_id": pa.array(hosp, pa.string()),
            "criterion_id": pa.array(cid, pa.string()),
            "period": pa.array(period, pa.string()),
            "value": pa.array(value.ravel(), pa.float64(), from_pandas=True),
            "level": pa.array(level.ravel(), pa.string()),
        }
    )
