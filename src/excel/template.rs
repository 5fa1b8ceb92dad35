//! The fill-in evidence workbook for a rulebook.
//!
//! One readme sheet (hospital id and name to fill, the rulebook, how to fill in, the legend),
//! then one sheet per part of the rulebook: a row per node in tree order (groups as bold
//! headings), with the criterion's id, title, kind, responsible department, flags and notes
//! (unit, direction, scoring, numerator and denominator), an answer column with drop-down
//! lists for gates, articles and elements, and per period a value, numerator and denominator
//! column for indicators. Cells to fill are yellow; cells that take nothing are grey.

use super::layout::{
    kind_label, Field, Key, ARTICLE_CHOICES, ELEMENT_CHOICES, GATE_CHOICES, README_SHEET,
};
use super::WriteError;
use crate::evidence::{Evidence, Observation};
use crate::ratio::decimal_to_f64;
use crate::rulebook::compile::{Node, Rule};
use crate::rulebook::model::{Direction, Method, NodeKind, NodeSpec};
use crate::Rulebook;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Note, Workbook, Worksheet, XlsxError,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// What the template holds besides the rulebook's structure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateOptions {
    /// Period labels, oldest first: one value / numerator / denominator block per period.
    /// Empty: one block without a period label (a single value per indicator).
    pub periods: Vec<String>,
    /// Hospital id written in the readme sheet (left blank to fill otherwise).
    pub hospital: Option<String>,
    /// Hospital name written in the readme sheet.
    pub name: Option<String>,
}

impl TemplateOptions {
    /// Options for a rulebook: as many periods as its longest trend needs (at least one),
    /// labelled by the calendar years before the current one (e.g. 2022, 2023, 2024 in 2025).
    pub fn for_rulebook(rb: &Rulebook) -> TemplateOptions {
        let n = rb
            .nodes()
            .iter()
            .filter_map(|n| match &n.rule {
                Rule::Indicator(r) => r.trend.as_ref().map(|t| t.periods),
                _ => None,
            })
            .max()
            .unwrap_or(1)
            .max(1);
        let year = current_year();
        TemplateOptions {
            periods: (0..n)
                .rev()
                .map(|k| (year - 1 - k as i64).to_string())
                .collect(),
            hospital: None,
            name: None,
        }
    }

    /// Set the period labels (oldest first).
    pub fn periods<I, S>(mut self, periods: I) -> TemplateOptions
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.periods = periods.into_iter().map(Into::into).collect();
        self
    }

    /// Set the hospital id.
    pub fn hospital(mut self, id: impl Into<String>) -> TemplateOptions {
        self.hospital = Some(id.into());
        self
    }

    /// Set the hospital name.
    pub fn name(mut self, name: impl Into<String>) -> TemplateOptions {
        self.name = Some(name.into());
        self
    }
}

/// The current calendar year (UTC), from the system clock.
fn current_year() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // Civil year from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    yoe + era * 400 + i64::from(month <= 2)
}

/// Write the fill-in workbook for a rulebook to a file. With `evidence`, the workbook comes
/// filled in with it (e.g. last round's answers for the departments to update).
pub fn write_template(
    rb: &Rulebook,
    options: &TemplateOptions,
    evidence: Option<&Evidence>,
    path: impl AsRef<Path>,
) -> Result<(), WriteError> {
    let path = path.as_ref();
    let bytes = template(rb, options, evidence)
        .map_err(|e| WriteError::new(path.display().to_string(), e.message))?;
    std::fs::write(path, bytes)
        .map_err(|e| WriteError::new(path.display().to_string(), e.to_string()))
}

/// The fill-in workbook for a rulebook, as `.xlsx` bytes (see [`write_template`]).
pub fn template(
    rb: &Rulebook,
    options: &TemplateOptions,
    evidence: Option<&Evidence>,
) -> Result<Vec<u8>, WriteError> {
    if let Some(ev) = evidence {
        ev.sheet(rb).map_err(|e| {
            WriteError::new(
                "<memory>",
                format!("the evidence does not fit rulebook {}: {e}", rb.meta().id),
            )
        })?;
    }
    let mut periods: Vec<String> = options.periods.clone();
    if let Some(ev) = evidence {
        let given: BTreeSet<&String> = ev.indicators.values().flat_map(|s| s.keys()).collect();
        let known: HashSet<String> = periods.iter().cloned().collect();
        let mut extra: Vec<String> = given
            .into_iter()
            .filter(|p| !known.contains(*p))
            .cloned()
            .collect();
        if !extra.is_empty() {
            periods.append(&mut extra);
            periods.sort();
        }
    }
    let mut seen = HashSet::new();
    for p in &periods {
        if !seen.insert(p.as_str()) {
            return Err(WriteError::new(
                "<memory>",
                format!("period {p:?} is given twice"),
            ));
        }
    }
    let w = Writer::new(rb, &periods, evidence);
    w.build(options).map_err(WriteError::from)
}

struct Styles {
    banner: Format,
    header: Format,
    key: Format,
    input: Format,
    filled: Format,
    na: Format,
    group: Format,
    text: Format,
    note: Format,
    muted: Format,
}

impl Styles {
    fn new() -> Styles {
        let thin = FormatBorder::Thin;
        let grey_border = Color::RGB(0xBFBFBF);
        Styles {
            banner: Format::new().set_bold().set_font_size(13),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_background_color(Color::RGB(0xDDEBF7))
                .set_border(thin)
                .set_align(FormatAlign::VerticalCenter),
            key: Format::new().set_bold(),
            input: Format::new()
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_border(thin)
                .set_border_color(grey_border)
                .set_unlocked(),
            filled: Format::new()
                .set_background_color(Color::RGB(0xE2EFDA))
                .set_border(thin)
                .set_border_color(grey_border)
                .set_unlocked(),
            na: Format::new()
                .set_background_color(Color::RGB(0xEDEDED))
                .set_border(thin)
                .set_border_color(grey_border),
            group: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xF2F2F2)),
            text: Format::new(),
            note: Format::new().set_font_color(Color::RGB(0x595959)),
            muted: Format::new()
                .set_font_color(Color::RGB(0x7F7F7F))
                .set_italic(),
        }
    }
}

struct Writer<'a> {
    rb: &'a Rulebook,
    periods: &'a [String],
    evidence: Option<&'a Evidence>,
    specs: HashMap<&'a str, &'a NodeSpec>,
    styles: Styles,
}

/// The columns of one part sheet.
struct Columns {
    fields: Vec<(Field, Option<usize>)>,
}

impl Columns {
    fn of(&self, field: Field, period: Option<usize>) -> Option<u16> {
        self.fields
            .iter()
            .position(|f| *f == (field, period))
            .map(|c| c as u16)
    }
}

impl<'a> Writer<'a> {
    fn new(rb: &'a Rulebook, periods: &'a [String], evidence: Option<&'a Evidence>) -> Writer<'a> {
        let specs = rb
            .source()
            .nodes
            .iter()
            .map(|n| (n.id.as_str(), n))
            .collect();
        Writer {
            rb,
            periods,
            evidence,
            specs,
            styles: Styles::new(),
        }
    }

    fn build(&self, options: &TemplateOptions) -> Result<Vec<u8>, XlsxError> {
        let mut wb = Workbook::new();
        let parts: Vec<u32> = self.rb.nodes()[0].children.clone();
        let names = sheet_names(self.rb, &parts);
        let readme = wb.add_worksheet();
        self.readme(readme, options, &parts, &names)?;
        for (k, &p) in parts.iter().enumerate() {
            let ws = wb.add_worksheet();
            self.part(ws, p, &names[k])?;
        }
        wb.save_to_buffer()
    }

    fn readme(
        &self,
        ws: &mut Worksheet,
        options: &TemplateOptions,
        parts: &[u32],
        names: &[String],
    ) -> Result<(), XlsxError> {
        let s = &self.styles;
        let meta = self.rb.meta();
        ws.set_name(README_SHEET)?;
        ws.set_tab_color(Color::RGB(0x4472C4));
        ws.set_column_width(0, 26)?;
        ws.set_column_width(1, 60)?;
        ws.write_string_with_format(
            0,
            0,
            "三级医院评审 证据填报表 · sanjia evidence workbook",
            &s.banner,
        )?;
        let hospital = options
            .hospital
            .clone()
            .or_else(|| self.evidence.map(|e| e.hospital.clone()))
            .filter(|h| !h.is_empty());
        let name = options
            .name
            .clone()
            .or_else(|| self.evidence.and_then(|e| e.name.clone()));
        let mut r = 2;
        for (key, value, fill) in [
            (Key::Hospital.label(), hospital, true),
            (Key::Name.label(), name, true),
            (Key::Rulebook.label(), Some(meta.id.clone()), false),
        ] {
            ws.write_string_with_format(r, 0, key, &s.key)?;
            let f = if fill { &s.input } else { &s.text };
            match value {
                Some(v) => ws.write_string_with_format(r, 1, &v, f)?,
                None => ws.write_blank(r, 1, f)?,
            };
            r += 1;
        }
        let about = [
            ("规则名称 title", meta.title.clone()),
            (
                "版本 edition",
                [meta.edition.as_deref(), meta.version.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
            ),
            ("生成 generated by", format!("sanjia {}", crate::VERSION)),
        ];
        for (k, v) in about {
            ws.write_string_with_format(r, 0, k, &s.muted)?;
            ws.write_string_with_format(r, 1, &v, &s.muted)?;
            r += 1;
        }
        r += 1;
        ws.write_string_with_format(r, 0, "填写方法 how to fill in", &s.key)?;
        r += 1;
        let periods = if self.periods.iter().all(String::is_empty) {
            "一个值（无期间）one value, no period".to_string()
        } else {
            self.periods.join(", ")
        };
        let lines = [
            "1. 在上方填写医院编号（必填）和名称。Fill in the hospital id (required) and name above.".to_string(),
            "2. 每个部分一张工作表；只填黄色单元格，灰色单元格不填。One sheet per part: fill the yellow cells only; grey cells take nothing.".into(),
            "3. 前置要求填 通过 / 不通过；条款填 A / B / C / D（E = 不适用）；要素填 met / partial / not_met / na。Gates: pass / fail; articles: A–D (E = not applicable); elements: met / partial / not_met / na.".into(),
            "4. 指标按期间填写：填 值，或 分子 和 分母（由 sanjia 计算比率）。Indicators per period: a value, or a numerator and denominator.".into(),
            "5. 值按指标单位填写：92.5% 填 92.5，不要填 92.5% 或设为百分比格式。Values in the indicator's unit: 92.5 for 92.5%, not 92.5% or a percent-formatted cell.".into(),
            format!("6. 期间 periods: {periods}. 列标题中的期间可改（如 2024 改为 2025）；增加期间可复制三列并改标题。The period in a column header may be edited; copy a block of three columns to add a period."),
            "7. 不要改动 编号、类型 列和标题行；可增加 备注。Keep the id and kind columns and the header row; comments are free.".into(),
            "8. 未填写的条目按规则的缺失政策处理，并在报告中列出。Criteria left blank follow the rulebook's missing-evidence policy and are listed in the report.".into(),
            "检查 check: sanjia validate RULEBOOK evidence.xlsx · 评分 score: sanjia score evidence.xlsx".into(),
        ];
        for l in lines {
            ws.write_string(r, 0, l)?;
            r += 1;
        }
        r += 1;
        ws.write_string_with_format(r, 0, "工作表 sheets", &s.key)?;
        r += 1;
        for (k, &p) in parts.iter().enumerate() {
            let node = &self.rb.nodes()[p as usize];
            let counts = self.counts(p);
            ws.write_string(r, 0, &names[k])?;
            ws.write_string(r, 1, format!("{} — {counts}", node.title))?;
            r += 1;
        }
        if !self.rb.meta().flags.is_empty() {
            r += 1;
            ws.write_string_with_format(r, 0, "标志 flags", &s.key)?;
            r += 1;
            for (k, v) in &self.rb.meta().flags {
                ws.write_string(r, 0, k)?;
                ws.write_string(r, 1, v)?;
                r += 1;
            }
        }
        ws.set_active(true);
        Ok(())
    }

    fn counts(&self, part: u32) -> String {
        let nodes = self.rb.nodes();
        let n = &nodes[part as usize];
        let mut c = [0usize; 5];
        for node in &nodes[part as usize..n.end as usize] {
            let k = match node.kind {
                NodeKind::Gate => 0,
                NodeKind::Indicator => 1,
                NodeKind::Article => 2,
                NodeKind::Element => 3,
                NodeKind::Group => 4,
            };
            c[k] += 1;
        }
        let mut out = Vec::new();
        for (k, label) in [
            (0, "前置要求 gates"),
            (1, "指标 indicators"),
            (2, "条款 articles"),
            (3, "要素 elements"),
        ] {
            if c[k] > 0 {
                out.push(format!("{} {label}", c[k]));
            }
        }
        out.join(", ")
    }

    fn columns(&self, part: u32) -> Columns {
        let nodes = self.rb.nodes();
        let range = &nodes[part as usize..nodes[part as usize].end as usize];
        let answers = range.iter().any(|n| {
            matches!(
                n.kind,
                NodeKind::Gate | NodeKind::Article | NodeKind::Element
            )
        });
        let indicators = range.iter().any(|n| n.kind == NodeKind::Indicator);
        let mut fields = vec![
            (Field::Id, None),
            (Field::Title, None),
            (Field::Kind, None),
            (Field::Department, None),
            (Field::Flags, None),
            (Field::Notes, None),
        ];
        if answers {
            fields.push((Field::Answer, None));
        }
        if indicators {
            let n = self.periods.len().max(1);
            for p in 0..n {
                fields.push((Field::Value, Some(p)));
                fields.push((Field::Numerator, Some(p)));
                fields.push((Field::Denominator, Some(p)));
            }
        }
        fields.push((Field::Comment, None));
        Columns { fields }
    }

    fn period_label(&self, p: usize) -> &str {
        self.periods.get(p).map_or("", String::as_str)
    }

    fn part(&self, ws: &mut Worksheet, part: u32, name: &str) -> Result<(), XlsxError> {
        let s = &self.styles;
        let rb = self.rb;
        let nodes = rb.nodes();
        let top = &nodes[part as usize];
        ws.set_name(name)?;
        let cols = self.columns(part);
        // Row 0: the part; row 1: headers; rows 2..: one per node.
        let mut title = format!("{} {}", top.id, top.title);
        if let Some(w) = top.weight {
            title.push_str(&format!(" · 权重 weight {}", w.normalize()));
        }
        ws.write_string_with_format(0, 0, &title, &s.banner)?;
        for (c, (field, period)) in cols.fields.iter().enumerate() {
            let text = match period {
                Some(p) if !self.period_label(*p).is_empty() => {
                    format!("{} {}", self.period_label(*p), field.header())
                }
                _ => field.header().to_string(),
            };
            ws.write_string_with_format(1, c as u16, &text, &s.header)?;
            let width = match field {
                Field::Id => 12.0,
                Field::Title => 44.0,
                Field::Kind => 14.0,
                Field::Department => 14.0,
                Field::Flags => 10.0,
                Field::Notes => 60.0,
                Field::Answer => 12.0,
                Field::Value | Field::Numerator | Field::Denominator => 13.0,
                Field::Comment => 30.0,
            };
            ws.set_column_width(c as u16, width)?;
        }
        self.header_notes(ws, &cols)?;
        ws.set_row_height(1, 32)?;
        let mut row: u32 = 2;
        let mut runs: Vec<(NodeKind, u32, u32)> = Vec::new();
        let mut value_rows: Vec<(u32, Decimal)> = Vec::new();
        for k in part..top.end {
            let node = &nodes[k as usize];
            self.node_row(ws, &cols, k, node, row)?;
            if matches!(
                node.kind,
                NodeKind::Gate | NodeKind::Article | NodeKind::Element
            ) {
                match runs.last_mut() {
                    Some((kind, _, last)) if *kind == node.kind && *last + 1 == row => *last = row,
                    _ => runs.push((node.kind, row, row)),
                }
            }
            if let Rule::Indicator(r) = &node.rule {
                if r.proportion {
                    value_rows.push((row, r.scale));
                }
            }
            row += 1;
        }
        let last = row.saturating_sub(1).max(2);
        if let Some(c) = cols.of(Field::Answer, None) {
            for (kind, first, end) in runs {
                let (choices, what): (&[&str], &str) = match kind {
                    NodeKind::Gate => (&GATE_CHOICES, "通过 / 不通过 (pass / fail)"),
                    NodeKind::Article => (&ARTICLE_CHOICES, "A / B / C / D，E = 不适用"),
                    _ => (&ELEMENT_CHOICES, "met / partial / not_met / na"),
                };
                let dv = DataValidation::new()
                    .allow_list_strings(choices)?
                    .set_error_style(DataValidationErrorStyle::Stop)
                    .set_error_title("sanjia")?
                    .set_error_message(format!("请选择 choose: {what}"))?;
                ws.add_data_validation(first, c, end, c, &dv)?;
            }
        }
        for p in 0..self.periods.len().max(1) {
            for f in [Field::Numerator, Field::Denominator] {
                if let Some(c) = cols.of(f, Some(p)) {
                    let dv = DataValidation::new()
                        .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                        .set_error_title("sanjia")?
                        .set_error_message("分子、分母为非负数 counts are numbers >= 0")?;
                    ws.add_data_validation(2, c, last, c, &dv)?;
                }
            }
            if let Some(c) = cols.of(Field::Value, Some(p)) {
                for &(r, scale) in &value_rows {
                    let max = decimal_to_f64(scale);
                    let dv = DataValidation::new()
                        .allow_decimal_number(DataValidationRule::Between(0.0, max))
                        .set_error_style(DataValidationErrorStyle::Warning)
                        .set_error_title("sanjia")?
                        .set_error_message(format!(
                            "比例在 0–{max} 之间（92.5% 填 92.5）a proportion lies in 0–{max}"
                        ))?;
                    ws.add_data_validation(r, c, r, c, &dv)?;
                }
            }
        }
        ws.set_freeze_panes(2, 2)?;
        ws.autofilter(1, 0, last, (cols.fields.len() - 1) as u16)?;
        Ok(())
    }

    fn header_notes(&self, ws: &mut Worksheet, cols: &Columns) -> Result<(), XlsxError> {
        let notes = [
            (Field::Id, "不要修改。Do not change: the criterion's id in the rulebook."),
            (Field::Kind, "不要修改。gate = 前置要求, indicator = 指标, article = 条款, element = 要素."),
            (Field::Answer, "前置要求: 通过 / 不通过; 条款: A B C D (E 不适用); 要素: met / partial / not_met / na."),
            (Field::Value, "按指标单位填写数值（92.5% 填 92.5）。或改填分子、分母。The value in the indicator's unit, or fill numerator and denominator instead."),
        ];
        for (field, text) in notes {
            let period = matches!(field, Field::Value).then_some(0);
            if let Some(c) = cols.of(field, period) {
                ws.insert_note(1, c, &Note::new(text).set_author("sanjia").set_width(320))?;
            }
        }
        Ok(())
    }

    fn node_row(
        &self,
        ws: &mut Worksheet,
        cols: &Columns,
        k: u32,
        node: &Node,
        row: u32,
    ) -> Result<(), XlsxError> {
        let s = &self.styles;
        let is_group = node.kind == NodeKind::Group;
        let depth_indent = node.depth.saturating_sub(1).min(15) as u8;
        let title_fmt = if is_group {
            s.group.clone().set_indent(depth_indent)
        } else {
            Format::new().set_indent(depth_indent)
        };
        for (c, (field, period)) in cols.fields.iter().enumerate() {
            let c = c as u16;
            match field {
                Field::Id => {
                    let f = if is_group { &s.group } else { &s.text };
                    ws.write_string_with_format(row, c, &node.id, f)?;
                }
                Field::Title => {
                    ws.write_string_with_format(row, c, &node.title, &title_fmt)?;
                }
                Field::Kind => {
                    let f = if is_group { &s.group } else { &s.text };
                    ws.write_string_with_format(row, c, kind_label(node.kind), f)?;
                }
                Field::Department => {
                    if !is_group {
                        if let Some(d) = &node.department {
                            ws.write_string(row, c, d)?;
                        }
                    } else if let Some(d) = self
                        .specs
                        .get(node.id.as_str())
                        .and_then(|n| n.department.as_deref())
                    {
                        ws.write_string_with_format(row, c, d, &s.group)?;
                    }
                }
                Field::Flags => {
                    let flags: Vec<String> = self
                        .rb
                        .node_flags(k)
                        .into_iter()
                        .map(|f| {
                            self.rb
                                .meta()
                                .flags
                                .get(f)
                                .cloned()
                                .unwrap_or_else(|| f.to_string())
                        })
                        .collect();
                    if !flags.is_empty() {
                        ws.write_string(row, c, flags.join(", "))?;
                    }
                }
                Field::Notes => {
                    let n = self.notes(node);
                    if !n.is_empty() {
                        ws.write_string_with_format(row, c, &n, &s.note)?;
                    }
                }
                Field::Answer => match node.kind {
                    NodeKind::Gate | NodeKind::Article | NodeKind::Element => {
                        match self.answer(node) {
                            Some(a) => ws.write_string_with_format(row, c, a, &s.filled)?,
                            None => ws.write_blank(row, c, &s.input)?,
                        };
                    }
                    _ => {
                        ws.write_blank(row, c, &s.na)?;
                    }
                },
                Field::Value | Field::Numerator | Field::Denominator => {
                    if node.kind != NodeKind::Indicator {
                        ws.write_blank(row, c, &s.na)?;
                        continue;
                    }
                    let label = self.period_label(period.unwrap_or(0));
                    let obs = self
                        .evidence
                        .and_then(|e| e.indicators.get(&node.id))
                        .and_then(|series| series.get(label));
                    let number = match (field, obs) {
                        (Field::Value, Some(Observation::Value(v))) => Some(*v),
                        (Field::Numerator, Some(Observation::Ratio { numerator, .. })) => {
                            Some(*numerator)
                        }
                        (Field::Denominator, Some(Observation::Ratio { denominator, .. })) => {
                            Some(*denominator)
                        }
                        _ => None,
                    };
                    match number {
                        Some(v) => {
                            ws.write_number_with_format(row, c, decimal_to_f64(v), &s.filled)?
                        }
                        None => ws.write_blank(row, c, &s.input)?,
                    };
                }
                Field::Comment => {}
            }
        }
        Ok(())
    }

    fn answer(&self, node: &Node) -> Option<&'static str> {
        let ev = self.evidence?;
        match node.kind {
            NodeKind::Gate => {
                ev.gates
                    .get(&node.id)
                    .map(|&p| if p { GATE_CHOICES[0] } else { GATE_CHOICES[1] })
            }
            NodeKind::Article => ev.articles.get(&node.id).map(|l| match l {
                crate::evidence::ArticleLevel::A => "A",
                crate::evidence::ArticleLevel::B => "B",
                crate::evidence::ArticleLevel::C => "C",
                crate::evidence::ArticleLevel::D => "D",
                crate::evidence::ArticleLevel::E => "E",
            }),
            NodeKind::Element => ev.elements.get(&node.id).map(|r| r.name()),
            _ => None,
        }
    }

    /// What to fill and how it is scored, in a line.
    fn notes(&self, node: &Node) -> String {
        let spec = self.specs.get(node.id.as_str());
        let mut out: Vec<String> = Vec::new();
        match &node.rule {
            Rule::Group { .. } => {}
            Rule::Gate { outcome } => {
                let o = &self.rb.outcomes()[*outcome as usize];
                out.push(format!("填 通过 / 不通过；不通过 → {}", o.title));
            }
            Rule::Article { points } => out.push(format!(
                "填 A / B / C / D（E 不适用）；分值 A {} · B {} · C {} · D {}",
                points[3].normalize(),
                points[2].normalize(),
                points[1].normalize(),
                points[0].normalize()
            )),
            Rule::Element { points } => out.push(format!(
                "填 met / partial / not_met / na；分值 {} / {} / {}",
                points[2].normalize(),
                points[1].normalize(),
                points[0].normalize()
            )),
            Rule::Indicator(r) => {
                if let Some(u) = &r.unit {
                    out.push(format!("单位 {u}"));
                }
                out.push(
                    match r.direction {
                        Direction::Higher => "越高越好 higher is better",
                        Direction::Lower => "越低越好 lower is better",
                        Direction::Monitor => "监测 monitor only",
                        Direction::Range => "区间为好 a range is best",
                    }
                    .to_string(),
                );
                let max = r.max_points.normalize();
                match r.method {
                    Method::Threshold => {
                        if let Some(t) = &r.target {
                            out.push(format!("达标 {} 得 {max} 分", t.text));
                        }
                    }
                    Method::Bands => {
                        let bands: Vec<String> = r
                            .bands
                            .iter()
                            .map(|(i, p)| format!("{} → {}", i.text, p.normalize()))
                            .collect();
                        out.push(format!("分档 {}", bands.join("; ")));
                    }
                    Method::Trend => {
                        if let Some(t) = &r.trend {
                            let mut line = format!(
                                "趋势 trend: 近 {} 期 改善 {} / 持平 {} / 变差 {}",
                                t.periods,
                                t.improving.normalize(),
                                t.stable.normalize(),
                                t.worsening.normalize()
                            );
                            if !t.tolerance.is_zero() {
                                line.push_str(&format!("（容差 ±{}）", t.tolerance.normalize()));
                            }
                            if let Some(target) = &r.target {
                                line.push_str(&format!(
                                    "；达到 {} 得 {} 分",
                                    target.text,
                                    t.target_points.normalize()
                                ));
                            }
                            out.push(line);
                        }
                    }
                    Method::Monitor => out.push("不计分 not scored".into()),
                }
                if let Some(n) = spec.and_then(|s| s.numerator.as_deref()) {
                    out.push(format!("分子 {n}"));
                }
                if let Some(d) = spec.and_then(|s| s.denominator.as_deref()) {
                    out.push(format!("分母 {d}"));
                }
                if r.scale != Decimal::ONE {
                    out.push(format!("值 = {} × 分子 / 分母", r.scale.normalize()));
                }
                if !matches!(r.method, Method::Trend) && self.periods.len() > 1 {
                    out.push("按最近一期计分 latest period scored".into());
                }
            }
        }
        out.join("；")
    }
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, unique (case-insensitive).
fn sheet_names(rb: &Rulebook, parts: &[u32]) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    used.insert(README_SHEET.to_lowercase());
    parts
        .iter()
        .map(|&p| {
            let n = &rb.nodes()[p as usize];
            let raw = format!("{} {}", n.id, n.title);
            let clean: String = raw
                .chars()
                .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
                .collect();
            let clean = clean.trim_matches('\'').trim().to_string();
            let base: String = clean.chars().take(31).collect();
            let mut name = base.clone();
            let mut k = 2;
            while used.contains(&name.to_lowercase()) || name.is_empty() {
                let suffix = format!("~{k}");
                name = base
                    .chars()
                    .take(31 - suffix.chars().count())
                    .collect::<String>()
                    + &suffix;
                k += 1;
            }
            used.insert(name.to_lowercase());
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_is_plausible() {
        let y = current_year();
        assert!((2024..2200).contains(&y), "{y}");
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let rb = Rulebook::builtin("demo").unwrap();
        let parts = rb.nodes()[0].children.clone();
        let names = sheet_names(&rb, &parts);
        assert_eq!(names.len(), parts.len());
        for n in &names {
            assert!(n.chars().count() <= 31, "{n}");
        }
        let set: HashSet<_> = names.iter().collect();
        assert_eq!(set.len(), names.len());
    }
}
