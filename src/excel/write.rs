//! Report workbooks laid out for a review meeting.
//!
//! One hospital ([`report_workbook`]): a summary sheet (result, grade, total, part scores,
//! failed gates, the conditions that kept each better grade away), the decision trace, the
//! deductions sorted by points lost, one row per responsible department, the missing
//! evidence, and every node. Many hospitals ([`batch_workbook`]): the same sheets with a
//! hospital column, and the hospitals that could not be scored.

use super::WriteError;
use crate::condition::Trace;
use crate::evidence::EvidenceError;
use crate::ratio::decimal_to_f64;
use crate::score::Scorecard;
use crate::{Report, Rulebook};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use std::collections::BTreeMap;
use std::path::Path;

/// Write one hospital's report workbook to a file.
pub fn write_report(report: &Report, path: impl AsRef<Path>) -> Result<(), WriteError> {
    let bytes = report_workbook(report)?;
    save(path.as_ref(), bytes)
}

/// Write a batch's report workbook to a file (see [`batch_workbook`]).
pub fn write_batch(
    rb: &Rulebook,
    hospitals: &[Option<String>],
    results: &[Result<Scorecard, EvidenceError>],
    path: impl AsRef<Path>,
) -> Result<(), WriteError> {
    let bytes = batch_workbook(rb, hospitals, results)?;
    save(path.as_ref(), bytes)
}

fn save(path: &Path, bytes: Vec<u8>) -> Result<(), WriteError> {
    std::fs::write(path, bytes)
        .map_err(|e| WriteError::new(path.display().to_string(), e.to_string()))
}

/// One hospital's report as `.xlsx` bytes: sheets 汇总 summary, 评级判定 decision, 扣分
/// deductions, 科室 departments, 缺失 missing, 明细 nodes.
pub fn report_workbook(report: &Report) -> Result<Vec<u8>, WriteError> {
    let mut wb = Workbook::new();
    let st = Styles::new();
    summary_sheet(wb.add_worksheet(), &st, report)?;
    decision_sheet(wb.add_worksheet(), &st, report)?;
    let one = [report];
    deductions_sheet(wb.add_worksheet(), &st, &one, false)?;
    departments_sheet(wb.add_worksheet(), &st, &one, false)?;
    missing_sheet(wb.add_worksheet(), &st, &one, false)?;
    nodes_sheet(wb.add_worksheet(), &st, report)?;
    Ok(wb.save_to_buffer()?)
}

/// Many hospitals' reports as `.xlsx` bytes, in input order: sheets 汇总 summary (one row per
/// hospital), 扣分 deductions, 科室 departments and 缺失 missing (with a hospital column), and
/// 错误 errors (hospitals that could not be scored). `hospitals` names the entries whose
/// error does not.
pub fn batch_workbook(
    rb: &Rulebook,
    hospitals: &[Option<String>],
    results: &[Result<Scorecard, EvidenceError>],
) -> Result<Vec<u8>, WriteError> {
    let reports: Vec<Report> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .map(|c| Report::from_scorecard(rb, c.clone()))
        .collect();
    let refs: Vec<&Report> = reports.iter().collect();
    let mut wb = Workbook::new();
    let st = Styles::new();
    batch_summary_sheet(wb.add_worksheet(), &st, rb, hospitals, results)?;
    deductions_sheet(wb.add_worksheet(), &st, &refs, true)?;
    departments_sheet(wb.add_worksheet(), &st, &refs, true)?;
    missing_sheet(wb.add_worksheet(), &st, &refs, true)?;
    errors_sheet(wb.add_worksheet(), &st, hospitals, results)?;
    Ok(wb.save_to_buffer()?)
}

struct Styles {
    title: Format,
    header: Format,
    key: Format,
    pct: Format,
    num: Format,
    bad: Format,
    good: Format,
    muted: Format,
}

impl Styles {
    fn new() -> Styles {
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(FormatBorder::Thin),
            key: Format::new().set_bold(),
            pct: Format::new().set_num_format("0.00%"),
            num: Format::new().set_num_format("0.####"),
            bad: Format::new().set_font_color(Color::RGB(0xB00020)),
            good: Format::new().set_font_color(Color::RGB(0x1B5E20)),
            muted: Format::new().set_font_color(Color::RGB(0x7F7F7F)),
        }
    }
}

/// A cell of a table.
enum Cell {
    Text(String),
    Num(Decimal),
    Pct(Option<Decimal>),
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt(s: Option<&str>) -> Cell {
    s.map_or(Cell::Empty, text)
}

fn put(ws: &mut Worksheet, st: &Styles, row: u32, col: u16, cell: &Cell) -> Result<(), XlsxError> {
    match cell {
        Cell::Text(s) => {
            ws.write_string(row, col, s)?;
        }
        Cell::Num(d) => {
            ws.write_number_with_format(row, col, decimal_to_f64(*d), &st.num)?;
        }
        Cell::Pct(Some(d)) => {
            ws.write_number_with_format(row, col, decimal_to_f64(*d), &st.pct)?;
        }
        Cell::Pct(None) | Cell::Empty => {}
    }
    Ok(())
}

/// A table with a header row at `row`; returns the row after it. With `filter`, the header
/// row gets an autofilter and the rows above it are frozen.
fn table(
    ws: &mut Worksheet,
    st: &Styles,
    row: u32,
    headers: &[(&str, f64)],
    rows: &[Vec<Cell>],
    filter: bool,
) -> Result<u32, XlsxError> {
    for (c, (h, width)) in headers.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &st.header)?;
        ws.set_column_width(c as u16, *width)?;
    }
    for (k, cells) in rows.iter().enumerate() {
        for (c, cell) in cells.iter().enumerate() {
            put(ws, st, row + 1 + k as u32, c as u16, cell)?;
        }
    }
    if filter && !headers.is_empty() {
        let last = row + rows.len().max(1) as u32;
        ws.autofilter(row, 0, last, (headers.len() - 1) as u16)?;
        ws.set_freeze_panes(row + 1, 0)?;
    }
    Ok(row + 1 + rows.len() as u32)
}

fn rate(points: Option<Decimal>, max: Decimal) -> Option<Decimal> {
    points.and_then(|p| (!max.is_zero()).then(|| p / max))
}

fn summary_sheet(ws: &mut Worksheet, st: &Styles, report: &Report) -> Result<(), XlsxError> {
    ws.set_name("汇总 summary")?;
    let rb = report.rulebook();
    let meta = rb.meta();
    ws.write_string_with_format(
        0,
        0,
        format!("评审结果 Review result — {}", report.hospital()),
        &st.title,
    )?;
    ws.set_column_width(0, 22)?;
    ws.set_column_width(1, 48)?;
    let rulebook = format!(
        "{} {}{}",
        meta.id,
        meta.title,
        meta.edition
            .as_deref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default()
    );
    let total = report.total();
    let items: Vec<(&str, Cell)> = vec![
        ("医院 hospital", text(report.hospital())),
        ("评审规则 rulebook", text(rulebook)),
        ("结果 result", text(report.status())),
        ("等级 grade", opt(report.grade())),
        ("条件所得等级 earned grade", opt(report.earned_grade())),
        ("总分 total", total.map_or(text("不适用 n/a"), Cell::Num)),
        ("满分 max", Cell::Num(report.max_total())),
        ("得分率 rate", Cell::Pct(rate(total, report.max_total()))),
    ];
    let mut row = 2;
    for (k, v) in &items {
        ws.write_string_with_format(row, 0, *k, &st.key)?;
        put(ws, st, row, 1, v)?;
        row += 1;
    }
    let grade_fmt = if report.grade().is_some() {
        &st.good
    } else {
        &st.bad
    };
    ws.write_string_with_format(4, 1, report.status(), grade_fmt)?;

    row += 1;
    ws.write_string_with_format(row, 0, "各部分得分 part scores", &st.key)?;
    row += 1;
    let card = report.scorecard();
    let parts: Vec<Vec<Cell>> = rb.nodes()[0]
        .children
        .iter()
        .map(|&c| {
            let n = &rb.nodes()[c as usize];
            let p = card.points[c as usize];
            let max = card.max[c as usize];
            vec![
                text(&n.id),
                text(&n.title),
                p.map_or(text("–"), |p| Cell::Num(crate::ratio::display(p, 4))),
                Cell::Num(crate::ratio::display(max, 4)),
                Cell::Pct(rate(p, max)),
            ]
        })
        .collect();
    row = table(
        ws,
        st,
        row,
        &[
            ("编号 id", 22.0),
            ("名称 title", 48.0),
            ("得分 points", 12.0),
            ("满分 max", 12.0),
            ("得分率 rate", 12.0),
        ],
        &parts,
        false,
    )?;

    row += 1;
    ws.write_string_with_format(row, 0, "前置要求 gates", &st.key)?;
    row += 1;
    let failed: Vec<Vec<Cell>> = report
        .gates()
        .into_iter()
        .filter(|g| g.result != "pass")
        .map(|g| {
            vec![
                text(g.id),
                text(g.title),
                text(g.result),
                opt(g.outcome_title.as_deref()),
                opt(g.effect),
            ]
        })
        .collect();
    if failed.is_empty() {
        ws.write_string_with_format(row, 0, "全部通过 every gate passed", &st.good)?;
        row += 1;
    } else {
        row = table(
            ws,
            st,
            row,
            &[
                ("编号 id", 22.0),
                ("名称 title", 48.0),
                ("结果 result", 12.0),
                ("后果 outcome", 12.0),
                ("影响 effect", 12.0),
            ],
            &failed,
            false,
        )?;
    }

    // The conditions that kept each better grade away.
    let d = report.decision();
    let mut misses: Vec<Vec<Cell>> = Vec::new();
    for g in &d.grades {
        if g.held {
            break;
        }
        let spec = &rb.grades()[g.grade];
        for t in g.conditions.iter().flat_map(Trace::failed_leaves) {
            misses.push(vec![text(&spec.id), text(&t.condition), text(&t.detail)]);
        }
    }
    if !misses.is_empty() {
        row += 1;
        ws.write_string_with_format(row, 0, "未满足的评级条件 conditions not met", &st.key)?;
        row += 1;
        table(
            ws,
            st,
            row,
            &[
                ("等级 grade", 22.0),
                ("条件 condition", 48.0),
                ("实测 measured", 12.0),
            ],
            &misses,
            false,
        )?;
        ws.set_column_width(2, 12)?;
    }
    ws.write_string_with_format(0, 3, format!("sanjia {}", crate::VERSION), &st.muted)?;
    ws.set_active(true);
    Ok(())
}

fn decision_sheet(ws: &mut Worksheet, st: &Styles, report: &Report) -> Result<(), XlsxError> {
    ws.set_name("评级判定 decision")?;
    let rb = report.rulebook();
    let mut rows: Vec<Vec<Cell>> = Vec::new();
    fn walk(rows: &mut Vec<Vec<Cell>>, grade: &str, t: &Trace, depth: usize) {
        rows.push(vec![
            text(grade),
            text(format!("{}{}", "  ".repeat(depth), t.condition)),
            text(if t.held {
                "✓ 满足 held"
            } else {
                "✗ 未满足 not held"
            }),
            text(&t.detail),
        ]);
        for p in &t.parts {
            walk(rows, grade, p, depth + 1);
        }
    }
    for g in &report.decision().grades {
        let spec = &rb.grades()[g.grade];
        let label = match &spec.title {
            Some(t) => format!("{} {t}", spec.id),
            None => spec.id.clone(),
        };
        rows.push(vec![
            text(&label),
            text(if g.conditions.is_empty() {
                "(无条件 no conditions)"
            } else {
                ""
            }),
            text(if g.held {
                "✓ 满足 held"
            } else {
                "✗ 未满足 not held"
            }),
            Cell::Empty,
        ]);
        for t in &g.conditions {
            walk(&mut rows, &spec.id, t, 1);
        }
    }
    table(
        ws,
        st,
        0,
        &[
            ("等级 grade", 16.0),
            ("条件 condition", 52.0),
            ("判定 verdict", 16.0),
            ("实测 measured", 90.0),
        ],
        &rows,
        true,
    )?;
    Ok(())
}

fn deductions_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    reports: &[&Report],
    with_hospital: bool,
) -> Result<(), XlsxError> {
    ws.set_name("扣分 deductions")?;
    let mut rows = Vec::new();
    for r in reports {
        for d in r.deductions() {
            let mut row = Vec::new();
            if with_hospital {
                row.push(text(r.hospital()));
            }
            row.extend([
                text(d.id),
                text(d.title),
                text(d.kind),
                opt(d.department.as_deref()),
                Cell::Num(crate::ratio::display(d.points, 4)),
                Cell::Num(crate::ratio::display(d.max_points, 4)),
                Cell::Num(crate::ratio::display(d.lost, 4)),
                Cell::Num(d.lost_in_total),
                text(d.reason),
            ]);
            rows.push(row);
        }
    }
    let mut headers = Vec::new();
    if with_hospital {
        headers.push(("医院 hospital", 12.0));
    }
    headers.extend([
        ("编号 id", 12.0),
        ("名称 title", 40.0),
        ("类型 kind", 10.0),
        ("责任部门 department", 14.0),
        ("得分 points", 10.0),
        ("满分 max", 10.0),
        ("扣分 lost", 10.0),
        ("总分扣分 lost in total", 14.0),
        ("原因 reason", 80.0),
    ]);
    table(ws, st, 0, &headers, &rows, true)?;
    Ok(())
}

#[derive(Default)]
struct Dept {
    criteria: usize,
    deductions: usize,
    lost: Decimal,
    missing: usize,
    failed_gates: Vec<String>,
}

fn departments(report: &Report) -> BTreeMap<String, Dept> {
    let unassigned = "（未指定）unassigned".to_string();
    let mut out: BTreeMap<String, Dept> = BTreeMap::new();
    for n in report.nodes() {
        if n.kind == "group" {
            continue;
        }
        let d = out
            .entry(n.department.clone().unwrap_or_else(|| unassigned.clone()))
            .or_default();
        d.criteria += 1;
        if n.kind == "gate" && n.level.as_deref() != Some("pass") {
            d.failed_gates.push(n.id.clone());
        }
    }
    for x in report.deductions() {
        let d = out
            .entry(x.department.unwrap_or_else(|| unassigned.clone()))
            .or_default();
        d.deductions += 1;
        d.lost += x.lost_in_total;
    }
    for m in report.missing() {
        out.entry(m.department.unwrap_or_else(|| unassigned.clone()))
            .or_default()
            .missing += 1;
    }
    out
}

fn departments_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    reports: &[&Report],
    with_hospital: bool,
) -> Result<(), XlsxError> {
    ws.set_name("科室 departments")?;
    let mut rows = Vec::new();
    for r in reports {
        let mut depts: Vec<(String, Dept)> = departments(r).into_iter().collect();
        depts.sort_by(|a, b| b.1.lost.cmp(&a.1.lost).then(a.0.cmp(&b.0)));
        for (name, d) in depts {
            let mut row = Vec::new();
            if with_hospital {
                row.push(text(r.hospital()));
            }
            row.extend([
                text(name),
                Cell::Num(Decimal::from(d.criteria)),
                Cell::Num(Decimal::from(d.deductions)),
                Cell::Num(d.lost),
                Cell::Num(Decimal::from(d.missing)),
                text(d.failed_gates.join(", ")),
            ]);
            rows.push(row);
        }
    }
    let mut headers = Vec::new();
    if with_hospital {
        headers.push(("医院 hospital", 12.0));
    }
    headers.extend([
        ("责任部门 department", 22.0),
        ("条目 criteria", 12.0),
        ("扣分条目 with deductions", 16.0),
        ("总分扣分 lost in total", 16.0),
        ("缺失 missing", 12.0),
        ("未通过前置要求 gates not passed", 30.0),
    ]);
    table(ws, st, 0, &headers, &rows, true)?;
    Ok(())
}

fn missing_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    reports: &[&Report],
    with_hospital: bool,
) -> Result<(), XlsxError> {
    ws.set_name("缺失 missing")?;
    let mut rows = Vec::new();
    for r in reports {
        for m in r.missing() {
            let mut row = Vec::new();
            if with_hospital {
                row.push(text(r.hospital()));
            }
            row.extend([
                text(m.id),
                text(m.title),
                text(m.kind),
                opt(m.department.as_deref()),
                text(m.counted_as),
                text(m.detail),
            ]);
            rows.push(row);
        }
    }
    let mut headers = Vec::new();
    if with_hospital {
        headers.push(("医院 hospital", 12.0));
    }
    headers.extend([
        ("编号 id", 12.0),
        ("名称 title", 40.0),
        ("类型 kind", 10.0),
        ("责任部门 department", 14.0),
        ("计为 counted as", 14.0),
        ("说明 detail", 60.0),
    ]);
    let end = table(ws, st, 0, &headers, &rows, true)?;
    if rows.is_empty() {
        ws.write_string_with_format(end, 0, "无缺失 nothing missing", &st.good)?;
    }
    Ok(())
}

fn nodes_sheet(ws: &mut Worksheet, st: &Styles, report: &Report) -> Result<(), XlsxError> {
    ws.set_name("明细 nodes")?;
    let rows: Vec<Vec<Cell>> = report
        .nodes()
        .into_iter()
        .map(|n| {
            vec![
                text(&n.id),
                text(format!(
                    "{}{}",
                    "  ".repeat(n.depth.saturating_sub(1) as usize),
                    n.title
                )),
                text(n.kind),
                opt(n.department.as_deref()),
                text(n.flags.join(",")),
                n.points.map_or(Cell::Empty, Cell::Num),
                Cell::Num(n.max_points),
                Cell::Pct(n.rate),
                opt(n.level.as_deref()),
                n.value
                    .and_then(crate::ratio::decimal_from_f64)
                    .map_or(Cell::Empty, Cell::Num),
                opt(n.period.as_deref()),
                Cell::Num(n.lost_in_total),
                text(n.reason),
            ]
        })
        .collect();
    table(
        ws,
        st,
        0,
        &[
            ("编号 id", 12.0),
            ("名称 title", 48.0),
            ("类型 kind", 10.0),
            ("责任部门 department", 14.0),
            ("标志 flags", 8.0),
            ("得分 points", 10.0),
            ("满分 max", 10.0),
            ("得分率 rate", 10.0),
            ("评价 level", 10.0),
            ("值 value", 10.0),
            ("期间 period", 10.0),
            ("总分扣分 lost in total", 14.0),
            ("原因 reason", 70.0),
        ],
        &rows,
        true,
    )?;
    Ok(())
}

fn batch_summary_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    rb: &Rulebook,
    hospitals: &[Option<String>],
    results: &[Result<Scorecard, EvidenceError>],
) -> Result<(), XlsxError> {
    ws.set_name("汇总 summary")?;
    let parts: Vec<u32> = rb.nodes()[0]
        .children
        .iter()
        .copied()
        .filter(|&c| rb.nodes()[c as usize].scored)
        .collect();
    let mut rows = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let mut row = Vec::new();
        match r {
            Ok(card) => {
                let d = &card.decision;
                row.push(text(&card.hospital));
                row.push(text(Report::status_of(rb, card)));
                row.push(opt(d.grade.map(|g| rb.grades()[g].id.as_str())));
                row.push(opt(d.earned.map(|g| rb.grades()[g].id.as_str())));
                row.push(card.total().map_or(Cell::Empty, Cell::Num));
                row.push(Cell::Num(card.max[0]));
                for &p in &parts {
                    row.push(
                        card.points[p as usize]
                            .map_or(Cell::Empty, |x| Cell::Num(crate::ratio::display(x, 4))),
                    );
                }
                let ids: Vec<&str> = d
                    .failed_gates
                    .iter()
                    .map(|&(g, _)| rb.nodes()[g as usize].id.as_str())
                    .collect();
                row.push(text(ids.join(", ")));
                row.push(Cell::Empty);
            }
            Err(e) => {
                let h = e
                    .hospital
                    .clone()
                    .or_else(|| hospitals.get(i).cloned().flatten());
                row.push(opt(h.as_deref()));
                row.push(text("error"));
                for _ in 0..4 + parts.len() + 1 {
                    row.push(Cell::Empty);
                }
                row.push(text(e.to_string()));
            }
        }
        rows.push(row);
    }
    let part_headers: Vec<String> = parts
        .iter()
        .map(|&p| {
            let n = &rb.nodes()[p as usize];
            format!("{} {}", n.id, n.title)
        })
        .collect();
    let mut headers: Vec<(&str, f64)> = vec![
        ("医院 hospital", 12.0),
        ("结果 result", 30.0),
        ("等级 grade", 10.0),
        ("条件所得等级 earned grade", 12.0),
        ("总分 total", 10.0),
        ("满分 max", 10.0),
    ];
    for h in &part_headers {
        headers.push((h.as_str(), 16.0));
    }
    headers.push(("未通过前置要求 failed gates", 22.0));
    headers.push(("错误 error", 60.0));
    table(ws, st, 0, &headers, &rows, true)?;
    ws.set_active(true);
    Ok(())
}

fn errors_sheet(
    ws: &mut Worksheet,
    st: &Styles,
    hospitals: &[Option<String>],
    results: &[Result<Scorecard, EvidenceError>],
) -> Result<(), XlsxError> {
    ws.set_name("错误 errors")?;
    let mut rows = Vec::new();
    for (i, r) in results.iter().enumerate() {
        if let Err(e) = r {
            let h = e
                .hospital
                .clone()
                .or_else(|| hospitals.get(i).cloned().flatten());
            for p in &e.problems {
                rows.push(vec![
                    Cell::Num(Decimal::from(i)),
                    opt(h.as_deref()),
                    opt(e.file.as_deref()),
                    p.row.map_or(Cell::Empty, |r| Cell::Num(Decimal::from(r))),
                    opt(p.path.as_deref()),
                    opt(p.criterion.as_deref()),
                    text(&p.message),
                ]);
            }
        }
    }
    let end = table(
        ws,
        st,
        0,
        &[
            ("序号 index", 8.0),
            ("医院 hospital", 12.0),
            ("文件 file", 20.0),
            ("行 row", 8.0),
            ("位置 place", 30.0),
            ("编号 criterion", 12.0),
            ("问题 problem", 80.0),
        ],
        &rows,
        true,
    )?;
    if rows.is_empty() {
        ws.write_string_with_format(end, 0, "无错误 every hospital was scored", &st.good)?;
    }
    Ok(())
}
