//! Reading rulebook files (TOML or JSON) and the built-in rulebooks.

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use super::compile::Rulebook;
use super::error::RulebookError;
use super::layer::{resolve, Origin};
use super::model::RulebookFile;
use std::path::Path;

/// Largest rulebook or evidence file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A data file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl Format {
    /// The format a file name's extension says (`.toml` or `.json`).
    pub fn from_path(path: &Path) -> Option<Format> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("toml") => Some(Format::Toml),
            Some("json") => Some(Format::Json),
            _ => None,
        }
    }
}

/// Line and column (1-based) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Deserialize TOML or JSON text into `T`, with the path inside the file and line/column in
/// the message.
pub(crate) fn deserialize<T: serde::de::DeserializeOwned>(
    text: &str,
    format: Format,
) -> Result<T, (String, String)> {
    match format {
        Format::Toml => {
            let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, &e))?;
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = clean_path(&e.path().to_string());
                let inner = e.into_inner();
                let (_, msg) = toml_error(text, &inner);
                (path, msg)
            })
        }
        Format::Json => {
            // JSON allows a key twice and serde_json keeps the last one silently; a file that
            // says two things about one key is an error here (TOML's parser rejects it itself).
            check_json_duplicates(text)?;
            let mut de = serde_json::Deserializer::from_str(text);
            let v = serde_path_to_error::deserialize(&mut de).map_err(|e| {
                let path = clean_path(&e.path().to_string());
                let inner = e.into_inner();
                (
                    path,
                    format!(
                        "line {}, column {}: {}",
                        inner.line(),
                        inner.column(),
                        strip_json_pos(&inner.to_string())
                    ),
                )
            })?;
            de.end().map_err(|e| {
                (
                    String::new(),
                    format!(
                        "line {}, column {}: {}",
                        e.line(),
                        e.column(),
                        strip_json_pos(&e.to_string())
                    ),
                )
            })?;
            Ok(v)
        }
    }
}

/// A JSON value whose objects may not repeat a key (read and discarded: only the check counts).
struct NoDuplicates;

impl<'de> serde::Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<NoDuplicates, A::Error> {
        while a.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<NoDuplicates, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(k) = a.next_key::<String>()? {
            if !seen.insert(k.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "duplicate key {:?} (a key may be given once)",
                    ellipsize(&k, 80)
                )));
            }
            a.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}

/// At most `max` characters of a text, with `...` when cut (for messages).
pub(crate) fn ellipsize(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// Reject JSON objects that repeat a key, naming the path and line.
fn check_json_duplicates(text: &str) -> Result<(), (String, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    match serde_path_to_error::deserialize::<_, NoDuplicates>(&mut de) {
        Ok(_) => Ok(()),
        Err(e) => {
            let path = clean_path(&e.path().to_string());
            let inner = e.into_inner();
            Err((
                path,
                format!(
                    "line {}, column {}: {}",
                    inner.line(),
                    inner.column(),
                    strip_json_pos(&inner.to_string())
                ),
            ))
        }
    }
}

fn strip_json_pos(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

fn clean_path(p: &str) -> String {
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

fn toml_error(text: &str, e: &toml::de::Error) -> (String, String) {
    let msg = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            (String::new(), format!("line {l}, column {c}: {msg}"))
        }
        None => (String::new(), msg),
    }
}

/// Parse a rulebook file without checking it (e.g. to layer it over another).
pub fn parse_file(
    text: &str,
    format: Format,
    file: Option<&str>,
) -> Result<RulebookFile, RulebookError> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(RulebookError::single(
            file.map(str::to_string),
            "",
            None,
            format!("the file is larger than {MAX_FILE_BYTES} bytes"),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(RulebookError::single(
            file.map(str::to_string),
            "",
            None,
            "the file is empty",
        ));
    }
    deserialize::<RulebookFile>(text, format).map_err(|(path, msg)| {
        let id = node_id_at(text, format, &path);
        RulebookError::single(file.map(str::to_string), path, id, msg)
    })
}

/// The id of the node a path like `node[3].weight` points into, when the text can tell.
fn node_id_at(text: &str, format: Format, path: &str) -> Option<String> {
    let rest = path.strip_prefix("node[")?;
    let ix: usize = rest.split(']').next()?.parse().ok()?;
    let v: serde_json::Value = match format {
        Format::Toml => toml::from_str(text).ok()?,
        Format::Json => serde_json::from_str(text).ok()?,
    };
    v.get("node")?
        .get(ix)?
        .get("id")?
        .as_str()
        .map(str::to_string)
}

impl Rulebook {
    /// Load and compile a rulebook from TOML text.
    ///
    /// ```
    /// let rb = sanjia::Rulebook::from_toml(r#"
    /// [rulebook]
    /// id = "mini"
    /// title = "Mini"
    /// [[node]]
    /// id = "P1"
    /// title = "Part 1"
    /// [[node]]
    /// id = "1.1"
    /// title = "An article"
    /// parent = "P1"
    /// kind = "article"
    /// points = { A = 4, B = 3, C = 2, D = 0 }
    /// [[grade]]
    /// id = "pass"
    /// when = ["total >= 3"]
    /// "#).unwrap();
    /// assert_eq!(rb.meta().id, "mini");
    /// ```
    pub fn from_toml(text: &str) -> Result<Rulebook, RulebookError> {
        Rulebook::parse(text, Format::Toml, None)
    }

    /// Load and compile a rulebook from JSON text.
    pub fn from_json(text: &str) -> Result<Rulebook, RulebookError> {
        Rulebook::parse(text, Format::Json, None)
    }

    /// Load and compile a rulebook from text in a format; `file` names it in errors.
    pub fn parse(
        text: &str,
        format: Format,
        file: Option<&str>,
    ) -> Result<Rulebook, RulebookError> {
        Rulebook::parse_from(text, format, file, &Origin::Text)
    }

    pub(crate) fn parse_from(
        text: &str,
        format: Format,
        file: Option<&str>,
        origin: &Origin,
    ) -> Result<Rulebook, RulebookError> {
        let f = parse_file(text, format, file)?;
        let layout = super::layer::Layout::of(&f);
        let f = resolve(f, origin, &mut Vec::new())?;
        Rulebook::compile(f, file).map_err(|e| match &layout {
            Some(l) => l.relocate(e),
            None => e,
        })
    }

    /// Load and compile a rulebook file (`.toml` or `.json`).
    pub fn load(path: impl AsRef<Path>) -> Result<Rulebook, RulebookError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let format = Format::from_path(path).ok_or_else(|| {
            RulebookError::single(
                Some(name.clone()),
                "",
                None,
                "a rulebook file ends in .toml or .json",
            )
        })?;
        let text =
            read_text(path).map_err(|m| RulebookError::single(Some(name.clone()), "", None, m))?;
        Rulebook::parse_from(
            &text,
            format,
            Some(&name),
            &Origin::Path(path.to_path_buf()),
        )
    }

    /// Save the rulebook (as loaded) as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self.source()).unwrap_or_else(|e| format!("# could not write TOML: {e}\n"))
    }

    /// Save the rulebook (as loaded) as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self.source()).unwrap_or_default()
    }
}

/// Read a UTF-8 text file with a size limit; errors in words. The limit holds for files whose
/// size the file system does not know (pipes, devices): at most `MAX_FILE_BYTES + 1` bytes are
/// ever read.
pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let too_large = || format!("the file is larger than {MAX_FILE_BYTES} bytes");
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read the file: {e}"))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    if meta.is_dir() {
        return Err("cannot read the file: it is a directory".into());
    }
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read the file: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    decode_text(bytes)
}

/// The text of a file's bytes: UTF-8 (a byte-order mark is dropped later), or an error that
/// says which encoding it looks like (UTF-16 from Windows tools, GB18030 / GBK from Chinese
/// Excel exports) and where the first bad byte is.
pub(crate) fn decode_text(bytes: Vec<u8>) -> Result<String, String> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(
            "the file is not UTF-8 but UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8".into(),
        );
    }
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(format!(
            "the file is not UTF-8 text: it contains a NUL byte (offset {at}), as UTF-16 or binary files do; save it as UTF-8"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let b = e.as_bytes();
        let (line, _) = line_col(&String::from_utf8_lossy(&b[..at]), at);
        let hint = match (b.get(at), b.get(at + 1)) {
            (Some(0x81..=0xFE), Some(0x40..=0xFE)) => {
                " (it looks like GB18030 / GBK, e.g. from a Chinese Excel export)"
            }
            (_, Some(0)) | (Some(0), _) => " (it looks like UTF-16)",
            _ => "",
        };
        format!(
            "the file is not UTF-8: invalid byte 0x{:02X} at offset {at} (line {line}){hint}; save it as UTF-8",
            b.get(at).copied().unwrap_or(0)
        )
    })
}
