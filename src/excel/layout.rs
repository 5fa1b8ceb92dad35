//! The evidence workbook's layout, shared by the template writer and the reader: column
//! headers, readme keys and the words each is recognised by.
//!
//! Headers are bilingual (`编号 id`); the reader recognises a column by any one of its words,
//! in either language and any case, so a quality office may shorten or translate them.

use crate::rulebook::model::NodeKind;

/// The readme sheet's name.
pub(crate) const README_SHEET: &str = "说明 readme";

/// A column of a part sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Id,
    Title,
    Kind,
    Department,
    Flags,
    Notes,
    Answer,
    Value,
    Numerator,
    Denominator,
    Comment,
}

impl Field {
    /// Every field, in the order they are recognised.
    pub(crate) const ALL: [Field; 11] = [
        Field::Id,
        Field::Title,
        Field::Kind,
        Field::Department,
        Field::Flags,
        Field::Notes,
        Field::Answer,
        Field::Value,
        Field::Numerator,
        Field::Denominator,
        Field::Comment,
    ];

    /// The header the template writes.
    pub(crate) fn header(self) -> &'static str {
        match self {
            Field::Id => "编号 id",
            Field::Title => "名称 title",
            Field::Kind => "类型 kind",
            Field::Department => "责任部门 department",
            Field::Flags => "标志 flags",
            Field::Notes => "填写说明 notes",
            Field::Answer => "评价 answer",
            Field::Value => "值 value",
            Field::Numerator => "分子 numerator",
            Field::Denominator => "分母 denominator",
            Field::Comment => "备注 comment",
        }
    }

    /// Words that identify the column (lower case).
    fn words(self) -> &'static [&'static str] {
        match self {
            Field::Id => &["id", "编号", "criterion_id", "条款编号", "指标编号"],
            Field::Title => &["title", "名称", "标题"],
            Field::Kind => &["kind", "类型"],
            Field::Department => &["department", "责任部门", "部门", "科室"],
            Field::Flags => &["flags", "标志"],
            Field::Notes => &["notes", "填写说明", "说明"],
            Field::Answer => &["answer", "评价", "level", "等级", "result", "结果"],
            Field::Value => &["value", "值", "数值"],
            Field::Numerator => &["numerator", "分子"],
            Field::Denominator => &["denominator", "分母"],
            Field::Comment => &["comment", "备注"],
        }
    }

    /// The field a header cell names, if any.
    #[cfg(test)]
    pub(crate) fn recognise(text: &str) -> Option<Field> {
        Field::recognise_with_label(text).map(|(f, _)| f)
    }

    /// The field a header cell names and the rest of the header: the period label of a
    /// value, numerator or denominator column (`"2024 值 value"` → `(Value, "2024")`).
    pub(crate) fn recognise_with_label(text: &str) -> Option<(Field, String)> {
        let toks = raw_tokens(text);
        let field = Field::ALL.into_iter().find(|f| {
            toks.iter()
                .any(|t| f.words().contains(&t.to_lowercase().as_str()))
        })?;
        let rest: Vec<&str> = toks
            .iter()
            .copied()
            .filter(|t| !field.words().contains(&t.to_lowercase().as_str()))
            .collect();
        Some((field, rest.join(" ")))
    }
}

/// A key of the readme sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Hospital,
    Name,
    Rulebook,
}

impl Key {
    /// The label the template writes.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Key::Hospital => "医院编号 hospital",
            Key::Name => "医院名称 name",
            Key::Rulebook => "评审规则 rulebook",
        }
    }

    fn words(self) -> &'static [&'static str] {
        match self {
            Key::Hospital => &["hospital", "hospital_id", "医院编号", "医院代码"],
            Key::Name => &["name", "医院名称"],
            Key::Rulebook => &["rulebook", "评审规则"],
        }
    }

    /// The key a label cell names, if any.
    pub(crate) fn recognise(text: &str) -> Option<Key> {
        let toks = tokens(text);
        [Key::Hospital, Key::Name, Key::Rulebook]
            .into_iter()
            .find(|k| toks.iter().any(|t| k.words().contains(&t.as_str())))
    }
}

/// The text the template writes in the kind column.
pub(crate) fn kind_label(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Group => "",
        NodeKind::Gate => "gate 前置要求",
        NodeKind::Indicator => "indicator 指标",
        NodeKind::Article => "article 条款",
        NodeKind::Element => "element 要素",
    }
}

/// The kind a kind cell names (`None` when it names none).
pub(crate) fn recognise_kind(text: &str) -> Option<NodeKind> {
    for t in tokens(text) {
        let k = match t.as_str() {
            "gate" | "前置要求" | "前置" => NodeKind::Gate,
            "indicator" | "指标" | "监测指标" => NodeKind::Indicator,
            "article" | "条款" => NodeKind::Article,
            "element" | "要素" | "me" => NodeKind::Element,
            "group" | "分组" | "章节" => NodeKind::Group,
            _ => continue,
        };
        return Some(k);
    }
    None
}

/// Gate answers offered in the template's drop-down list.
pub(crate) const GATE_CHOICES: [&str; 4] = ["通过", "不通过", "pass", "fail"];
/// Article levels offered in the drop-down list.
pub(crate) const ARTICLE_CHOICES: [&str; 5] = ["A", "B", "C", "D", "E"];
/// Element results offered in the drop-down list.
pub(crate) const ELEMENT_CHOICES: [&str; 8] = [
    "met",
    "partial",
    "not_met",
    "na",
    "达标",
    "部分达标",
    "不达标",
    "不适用",
];

/// Words of a cell: split on white space and brackets, slashes and colons.
fn raw_tokens(text: &str) -> Vec<&str> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '(' | ')' | '（' | '）' | '/' | ':' | '：' | '·' | '|')
    })
    .filter(|t| !t.is_empty())
    .collect()
}

/// Lower-case words of a cell.
fn tokens(text: &str) -> Vec<String> {
    raw_tokens(text)
        .into_iter()
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_recognised_in_either_language() {
        for f in Field::ALL {
            assert_eq!(Field::recognise(f.header()), Some(f), "{f:?}");
        }
        assert_eq!(Field::recognise("分子"), Some(Field::Numerator));
        assert_eq!(Field::recognise("Numerator"), Some(Field::Numerator));
        assert_eq!(Field::recognise("等级（level）"), Some(Field::Answer));
        assert_eq!(Field::recognise("2024"), None);
        assert_eq!(
            Field::recognise_with_label("2024 H1 分母 denominator"),
            Some((Field::Denominator, "2024 H1".to_string()))
        );
        assert_eq!(
            Field::recognise_with_label("Value"),
            Some((Field::Value, String::new()))
        );
        assert_eq!(Key::recognise(Key::Hospital.label()), Some(Key::Hospital));
        assert_eq!(Key::recognise("医院名称"), Some(Key::Name));
        assert_eq!(recognise_kind("article 条款"), Some(NodeKind::Article));
        assert_eq!(recognise_kind("指标"), Some(NodeKind::Indicator));
        assert_eq!(recognise_kind("?"), None);
    }
}
