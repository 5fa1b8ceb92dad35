# %% [markdown]
# # sanjia walkthrough: a quality office's review round
#
# Open this file in Jupyter (jupytext) or VS Code as a notebook, or run it as a script:
# `python examples/walkthrough.py` (it writes its files into `./walkthrough-out/`, or into
# the folder named by `SANJIA_WALKTHROUGH_OUT`).
#
# 1. load the built-in rulebook;
# 2. write the Excel evidence template for it;
# 3. fill the template in, as the departments would (here from the last round's data);
# 4. read it back and score it;
# 5. look at the grade, the decision, the deductions and each department's share;
# 6. write the reports for the review meeting (Excel) and for mail (HTML).

# %%
import os
from pathlib import Path

import openpyxl
import sanjia

out = Path(os.environ.get("SANJIA_WALKTHROUGH_OUT", "walkthrough-out"))
out.mkdir(parents=True, exist_ok=True)

# %% [markdown]
# ## 1. The rulebook
# The built-in `demo` rulebook follows the 2022 national structure: gates (前置要求),
# monitoring data (监测数据) and the on-site review (现场检查), with grade rules.

# %%
rulebook = sanjia.Rulebook.builtin("demo")
print(rulebook)
print(rulebook.tree()[:600])

# %% [markdown]
# ## 2. The evidence template
# One sheet per part, one row per criterion with its responsible department; yellow cells
# to fill, drop-down lists for gate answers and article levels, three periods for the
# indicators whose trend is scored.

# %%
template = out / "evidence.xlsx"
sanjia.write_template(rulebook, template, periods=["2022", "2023", "2024"])
print("template sheets:", openpyxl.load_workbook(template).sheetnames)

# %% [markdown]
# ## 3. Fill it in
# The departments' figures; here taken from last round's sample hospital. A quality office
# would type them or paste them from its own systems. Each part sheet has a header row in
# row 2: find the columns by their headers and the rows by the criterion id in column A.

# %%
figures = sanjia.Evidence.sample("demo").to_dict()
answers: dict[str, str] = {}
for cid, passed in figures["gates"].items():
    answers[cid] = "通过" if passed else "不通过"
answers.update(figures["articles"])
answers.update(figures["elements"])

wb = openpyxl.load_workbook(template)
readme = wb["说明 readme"]
for row in readme.iter_rows(min_row=1, max_row=10):
    label = str(row[0].value or "")
    if label.endswith("hospital"):
        row[1].value = figures["hospital"]
    elif label.endswith("name"):
        row[1].value = figures["name"]

for ws in wb.worksheets[1:]:
    headers = {str(c.value): c.column for c in ws[2] if c.value}
    for row in ws.iter_rows(min_row=3):
        cid = row[0].value
        if cid in answers:
            ws.cell(row=row[0].row, column=headers["评价 answer"], value=answers[cid])
        for period, obs in figures["indicators"].get(cid, {}).items():
            if isinstance(obs, dict):
                ws.cell(
                    row=row[0].row,
                    column=headers[f"{period} 分子 numerator"],
                    value=float(obs["numerator"]),
                )
                ws.cell(
                    row=row[0].row,
                    column=headers[f"{period} 分母 denominator"],
                    value=float(obs["denominator"]),
                )
            else:
                ws.cell(row=row[0].row, column=headers[f"{period} 值 value"], value=float(obs))
filled = out / "evidence-filled.xlsx"
wb.save(filled)

# %% [markdown]
# ## 4. Read it back and score it
# Problems in the workbook (a level that is not A–E, a value where a level belongs, an
# unknown id) raise `sanjia.EvidenceError` naming the sheet, row and column.

# %%
evidence = sanjia.Evidence.load(filled)
report = sanjia.score(rulebook, evidence)
print(report)

# The same figures from the TOML file give the same report, point for point.
assert report.to_json() == sanjia.score(rulebook, sanjia.Evidence.sample("demo")).to_json()

# %% [markdown]
# ## 5. Grade, decision, deductions
# In Jupyter, `report` alone shows a compact table; `report.explain()` is the full text.

# %%
print(report.status, report.total, "of", report.max_total)
for grade in report.decision["grades"]:
    failed = [c["condition"] for c in grade["conditions"] if not c["held"]]
    print(grade["grade"], "held" if grade["held"] else f"not met: {failed}")

print("\nlargest deductions:")
for d in report.deductions[:5]:
    print(f"  -{d['lost_in_total']:.2f}  {d['id']} {d['title']} ({d['department']}): {d['reason']}")

nodes = report.to_pandas()
by_department = (
    nodes[nodes["kind"] != "group"]
    .groupby("department", dropna=False)["lost_in_total"]
    .sum()
    .sort_values(ascending=False)
)
print("\npoints lost by department:")
print(by_department.head(8).to_string())

# %% [markdown]
# ## 6. Reports for the meeting and for mail
# The workbook has a summary, the decision, the deductions sorted by points lost, one row
# per department and the missing evidence; the HTML page is self-contained.

# %%
report.write(out / "review-meeting.xlsx")
report.write(out / "report.html")
report.write(out / "nodes.parquet")
try:
    fig = report.plot()
    fig.savefig(out / "profile.png", dpi=80)
except ImportError:
    print("matplotlib is not installed: pip install 'sanjia[plot]' for report.plot()")
print("wrote", sorted(p.name for p in out.iterdir()))

# %% [markdown]
# ## 7. Exam figures (三基 考核)
# With the exam engine's Python API (`sanjia.exams`), the participation and pass rates per
# exam and department come from the roster and the sittings.

# %%
try:
    import sanjia.exams as exams
except ImportError:
    exams = None
    print("sanjia.exams is not available in this build: skipping the exam figures")
if exams is not None and hasattr(exams, "evaluate"):
    import pyarrow as pa

    roster = pa.table(
        {
            "staff_id": ["S1", "S2", "S3", "S4"],
            "department": ["内科", "内科", "外科", "外科"],
            "category": ["医师", "护士", "医师", "护士"],
        }
    )
    sittings = pa.table(
        {
            "staff_id": ["S1", "S2", "S3", "S4"],
            "exam_id": ["E1", "E1", "E1", "E1"],
            "attempt": [1, 1, 1, 1],
            "score": [88.0, 92.0, 75.0, 59.0],
        }
    )
    result = exams.evaluate(roster, sittings, by=("exam_id", "department"))
    print(result.summary.to_pandas().to_string())
