//! Borrowed column views: the engine reads its input through these, without copying.
//!
//! A column is built from plain Rust slices (`&[&str]`, `&[String]`, `&[Option<&str>]`,
//! `&[f64]`, `&[Option<f64>]`, `&[i64]`, `&[Date]`, ...) with `From`, or, with the `arrow`
//! feature, from an Arrow array (see the `from_arrow` constructors of the tables). Strings are
//! read trimmed of surrounding whitespace, and an empty string reads as null.

use super::date::Date;

#[cfg(feature = "arrow")]
use arrow_array::{
    Int16Array, Int32Array, Int64Array, Int8Array, LargeStringArray, StringArray, StringViewArray,
    UInt16Array, UInt32Array, UInt64Array, UInt8Array,
};

/// Null flags of a column that carries them separately from its values (Arrow validity
/// bitmaps).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Nulls<'a> {
    /// No nulls.
    None,
    /// An Arrow validity bitmap.
    #[cfg(feature = "arrow")]
    Arrow(&'a arrow_buffer::NullBuffer),
    #[cfg(not(feature = "arrow"))]
    #[allow(dead_code)]
    Phantom(std::marker::PhantomData<&'a ()>),
}

impl Nulls<'_> {
    #[inline]
    pub(crate) fn is_null(&self, i: usize) -> bool {
        let _ = i;
        match self {
            Nulls::None => false,
            #[cfg(feature = "arrow")]
            Nulls::Arrow(n) => n.is_null(i),
            #[cfg(not(feature = "arrow"))]
            Nulls::Phantom(_) => false,
        }
    }
}

/// A string column.
#[derive(Clone, Debug)]
pub struct StrCol<'a>(pub(crate) StrRepr<'a>);

#[derive(Clone, Debug)]
pub(crate) enum StrRepr<'a> {
    Str(&'a [&'a str]),
    String(&'a [String]),
    OptStr(&'a [Option<&'a str>]),
    OptString(&'a [Option<String>]),
    #[cfg(feature = "arrow")]
    Utf8(&'a StringArray),
    #[cfg(feature = "arrow")]
    LargeUtf8(&'a LargeStringArray),
    #[cfg(feature = "arrow")]
    Utf8View(&'a StringViewArray),
    #[cfg(feature = "arrow")]
    Dict(DictKeys<'a>, Box<StrCol<'a>>),
}

/// The keys of an Arrow dictionary-encoded string column (pandas categoricals, polars
/// categoricals).
#[cfg(feature = "arrow")]
#[derive(Clone, Debug)]
pub(crate) enum DictKeys<'a> {
    I8(&'a Int8Array),
    I16(&'a Int16Array),
    I32(&'a Int32Array),
    I64(&'a Int64Array),
    U8(&'a UInt8Array),
    U16(&'a UInt16Array),
    U32(&'a UInt32Array),
    U64(&'a UInt64Array),
}

#[cfg(feature = "arrow")]
impl DictKeys<'_> {
    fn len(&self) -> usize {
        use arrow_array::Array;
        match self {
            DictKeys::I8(a) => a.len(),
            DictKeys::I16(a) => a.len(),
            DictKeys::I32(a) => a.len(),
            DictKeys::I64(a) => a.len(),
            DictKeys::U8(a) => a.len(),
            DictKeys::U16(a) => a.len(),
            DictKeys::U32(a) => a.len(),
            DictKeys::U64(a) => a.len(),
        }
    }

    pub(crate) fn key(&self, i: usize) -> Option<usize> {
        use arrow_array::Array;
        macro_rules! k {
            ($a:expr) => {
                if $a.is_null(i) {
                    None
                } else {
                    usize::try_from($a.value(i)).ok()
                }
            };
        }
        match self {
            DictKeys::I8(a) => k!(a),
            DictKeys::I16(a) => k!(a),
            DictKeys::I32(a) => k!(a),
            DictKeys::I64(a) => k!(a),
            DictKeys::U8(a) => k!(a),
            DictKeys::U16(a) => k!(a),
            DictKeys::U32(a) => k!(a),
            DictKeys::U64(a) => k!(a),
        }
    }
}

#[inline]
fn clean(s: &str) -> Option<&str> {
    // Fast path: no surrounding ASCII whitespace and no non-ASCII at the ends.
    if let (Some(&f), Some(&l)) = (s.as_bytes().first(), s.as_bytes().last()) {
        if f > b' ' && f < 0x80 && l > b' ' && l < 0x80 {
            return Some(s);
        }
    }
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

impl<'a> StrCol<'a> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.0 {
            StrRepr::Str(s) => s.len(),
            StrRepr::String(s) => s.len(),
            StrRepr::OptStr(s) => s.len(),
            StrRepr::OptString(s) => s.len(),
            #[cfg(feature = "arrow")]
            StrRepr::Utf8(a) => arrow_array::Array::len(*a),
            #[cfg(feature = "arrow")]
            StrRepr::LargeUtf8(a) => arrow_array::Array::len(*a),
            #[cfg(feature = "arrow")]
            StrRepr::Utf8View(a) => arrow_array::Array::len(*a),
            #[cfg(feature = "arrow")]
            StrRepr::Dict(k, _) => k.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The address of the underlying data: equal for views of the same array (used to map a
    /// dictionary shared by several record batches once).
    #[cfg(feature = "arrow")]
    pub(crate) fn identity(&self) -> usize {
        match &self.0 {
            StrRepr::Str(s) => s.as_ptr() as usize,
            StrRepr::String(s) => s.as_ptr() as usize,
            StrRepr::OptStr(s) => s.as_ptr() as usize,
            StrRepr::OptString(s) => s.as_ptr() as usize,
            StrRepr::Utf8(a) => a.offsets().as_ptr() as usize,
            StrRepr::LargeUtf8(a) => a.offsets().as_ptr() as usize,
            StrRepr::Utf8View(a) => a.views().as_ptr() as usize,
            StrRepr::Dict(k, _) => k as *const DictKeys<'_> as usize,
        }
    }

    /// The dictionary keys and values, for a dictionary-encoded Arrow column.
    #[cfg(feature = "arrow")]
    pub(crate) fn dictionary(&self) -> Option<(&DictKeys<'a>, &StrCol<'a>)> {
        match &self.0 {
            StrRepr::Dict(k, v) => Some((k, v)),
            _ => None,
        }
    }

    /// The value at row `i`, trimmed; `None` for null, empty or out-of-range rows.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        match &self.0 {
            StrRepr::Str(s) => s.get(i).and_then(|v| clean(v)),
            StrRepr::String(s) => s.get(i).and_then(|v| clean(v.as_str())),
            StrRepr::OptStr(s) => s.get(i).copied().flatten().and_then(clean),
            StrRepr::OptString(s) => s.get(i).and_then(|v| v.as_deref()).and_then(clean),
            #[cfg(feature = "arrow")]
            StrRepr::Utf8(a) => {
                use arrow_array::Array;
                if i >= a.len() || a.is_null(i) {
                    None
                } else {
                    clean(a.value(i))
                }
            }
            #[cfg(feature = "arrow")]
            StrRepr::LargeUtf8(a) => {
                use arrow_array::Array;
                if i >= a.len() || a.is_null(i) {
                    None
                } else {
                    clean(a.value(i))
                }
            }
            #[cfg(feature = "arrow")]
            StrRepr::Utf8View(a) => {
                use arrow_array::Array;
                if i >= a.len() || a.is_null(i) {
                    None
                } else {
                    clean(a.value(i))
                }
            }
            #[cfg(feature = "arrow")]
            StrRepr::Dict(keys, values) => {
                if i >= keys.len() {
                    return None;
                }
                keys.key(i).and_then(|k| values.get(k))
            }
        }
    }
}

impl<'a> StrCol<'a> {
    /// The values of rows `start..start + out.len()` (as [`StrCol::get`]), with the column's
    /// representation matched once for the block rather than once per row.
    #[inline]
    pub(crate) fn get_block(&self, start: usize, out: &mut [Option<&'a str>]) {
        #[cfg(feature = "arrow")]
        macro_rules! arrow_block {
            ($a:expr) => {{
                use arrow_array::Array;
                let a = $a;
                let len = a.len();
                match a.nulls() {
                    None => {
                        for (k, o) in out.iter_mut().enumerate() {
                            let i = start + k;
                            *o = if i < len { clean(a.value(i)) } else { None };
                        }
                    }
                    Some(n) => {
                        for (k, o) in out.iter_mut().enumerate() {
                            let i = start + k;
                            *o = if i < len && n.is_valid(i) {
                                clean(a.value(i))
                            } else {
                                None
                            };
                        }
                    }
                }
            }};
        }
        match &self.0 {
            #[cfg(feature = "arrow")]
            StrRepr::Utf8(a) => arrow_block!(*a),
            #[cfg(feature = "arrow")]
            StrRepr::LargeUtf8(a) => arrow_block!(*a),
            #[cfg(feature = "arrow")]
            StrRepr::Utf8View(a) => arrow_block!(*a),
            StrRepr::Str(s) => {
                for (k, o) in out.iter_mut().enumerate() {
                    *o = s.get(start + k).and_then(|v| clean(v));
                }
            }
            _ => {
                for (k, o) in out.iter_mut().enumerate() {
                    *o = self.get(start + k);
                }
            }
        }
    }
}

impl<'a> From<&'a [&'a str]> for StrCol<'a> {
    fn from(s: &'a [&'a str]) -> Self {
        StrCol(StrRepr::Str(s))
    }
}
impl<'a> From<&'a Vec<&'a str>> for StrCol<'a> {
    fn from(s: &'a Vec<&'a str>) -> Self {
        StrCol(StrRepr::Str(s))
    }
}
macro_rules! str_array {
    ($t:ty, $variant:ident) => {
        impl<'a, const N: usize> From<&'a [$t; N]> for StrCol<'a> {
            fn from(s: &'a [$t; N]) -> Self {
                StrCol(StrRepr::$variant(s))
            }
        }
    };
}
str_array!(&'a str, Str);
str_array!(String, String);
str_array!(Option<&'a str>, OptStr);
str_array!(Option<String>, OptString);
impl<'a> From<&'a [String]> for StrCol<'a> {
    fn from(s: &'a [String]) -> Self {
        StrCol(StrRepr::String(s))
    }
}
impl<'a> From<&'a Vec<String>> for StrCol<'a> {
    fn from(s: &'a Vec<String>) -> Self {
        StrCol(StrRepr::String(s))
    }
}
impl<'a> From<&'a [Option<&'a str>]> for StrCol<'a> {
    fn from(s: &'a [Option<&'a str>]) -> Self {
        StrCol(StrRepr::OptStr(s))
    }
}
impl<'a> From<&'a Vec<Option<&'a str>>> for StrCol<'a> {
    fn from(s: &'a Vec<Option<&'a str>>) -> Self {
        StrCol(StrRepr::OptStr(s))
    }
}
impl<'a> From<&'a [Option<String>]> for StrCol<'a> {
    fn from(s: &'a [Option<String>]) -> Self {
        StrCol(StrRepr::OptString(s))
    }
}
impl<'a> From<&'a Vec<Option<String>>> for StrCol<'a> {
    fn from(s: &'a Vec<Option<String>>) -> Self {
        StrCol(StrRepr::OptString(s))
    }
}

/// A value read from a numeric column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Num {
    Null,
    Int(i64),
    Float(f64),
}

impl Num {
    /// The value as a float (integers beyond 2^53 are rounded, which only matters for values
    /// far outside any score range). `None` for null.
    #[inline]
    pub(crate) fn as_f64(self) -> Option<f64> {
        match self {
            Num::Null => None,
            Num::Int(v) => Some(v as f64),
            Num::Float(v) => Some(v),
        }
    }

    /// Text for messages.
    pub(crate) fn describe(self) -> String {
        match self {
            Num::Null => "null".to_string(),
            Num::Int(v) => v.to_string(),
            Num::Float(v) => v.to_string(),
        }
    }
}

/// A numeric column: integers or floats, nullable.
#[derive(Clone, Debug)]
pub struct NumCol<'a>(pub(crate) NumRepr<'a>);

#[derive(Clone, Debug)]
pub(crate) enum NumRepr<'a> {
    F64(&'a [f64], Nulls<'a>),
    F32(&'a [f32], Nulls<'a>),
    I64(&'a [i64], Nulls<'a>),
    I32(&'a [i32], Nulls<'a>),
    I16(&'a [i16], Nulls<'a>),
    I8(&'a [i8], Nulls<'a>),
    U64(&'a [u64], Nulls<'a>),
    U32(&'a [u32], Nulls<'a>),
    U16(&'a [u16], Nulls<'a>),
    U8(&'a [u8], Nulls<'a>),
    OptF64(&'a [Option<f64>]),
    OptI64(&'a [Option<i64>]),
    OptI32(&'a [Option<i32>]),
}

impl NumCol<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.0 {
            NumRepr::F64(v, _) => v.len(),
            NumRepr::F32(v, _) => v.len(),
            NumRepr::I64(v, _) => v.len(),
            NumRepr::I32(v, _) => v.len(),
            NumRepr::I16(v, _) => v.len(),
            NumRepr::I8(v, _) => v.len(),
            NumRepr::U64(v, _) => v.len(),
            NumRepr::U32(v, _) => v.len(),
            NumRepr::U16(v, _) => v.len(),
            NumRepr::U8(v, _) => v.len(),
            NumRepr::OptF64(v) => v.len(),
            NumRepr::OptI64(v) => v.len(),
            NumRepr::OptI32(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at row `i` (null when out of range).
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Num {
        macro_rules! prim {
            ($v:expr, $n:expr, $conv:expr) => {
                match $v.get(i) {
                    Some(x) if !$n.is_null(i) => $conv(*x),
                    _ => Num::Null,
                }
            };
        }
        match &self.0 {
            NumRepr::F64(v, n) => prim!(v, n, Num::Float),
            NumRepr::F32(v, n) => prim!(v, n, |x: f32| Num::Float(x as f64)),
            NumRepr::I64(v, n) => prim!(v, n, Num::Int),
            NumRepr::I32(v, n) => prim!(v, n, |x: i32| Num::Int(x as i64)),
            NumRepr::I16(v, n) => prim!(v, n, |x: i16| Num::Int(x as i64)),
            NumRepr::I8(v, n) => prim!(v, n, |x: i8| Num::Int(x as i64)),
            NumRepr::U64(v, n) => prim!(v, n, |x: u64| match i64::try_from(x) {
                Ok(x) => Num::Int(x),
                Err(_) => Num::Float(x as f64),
            }),
            NumRepr::U32(v, n) => prim!(v, n, |x: u32| Num::Int(x as i64)),
            NumRepr::U16(v, n) => prim!(v, n, |x: u16| Num::Int(x as i64)),
            NumRepr::U8(v, n) => prim!(v, n, |x: u8| Num::Int(x as i64)),
            NumRepr::OptF64(v) => match v.get(i) {
                Some(Some(x)) => Num::Float(*x),
                _ => Num::Null,
            },
            NumRepr::OptI64(v) => match v.get(i) {
                Some(Some(x)) => Num::Int(*x),
                _ => Num::Null,
            },
            NumRepr::OptI32(v) => match v.get(i) {
                Some(Some(x)) => Num::Int(*x as i64),
                _ => Num::Null,
            },
        }
    }
}

impl NumCol<'_> {
    /// The values of rows `start..start + out.len()` (as [`NumCol::get`]), with the column's
    /// representation matched once for the block rather than once per row.
    #[inline]
    pub(crate) fn get_block(&self, start: usize, out: &mut [Num]) {
        macro_rules! prim {
            ($v:expr, $n:expr, $conv:expr) => {{
                let v = $v;
                match $n {
                    Nulls::None => {
                        for (k, o) in out.iter_mut().enumerate() {
                            *o = match v.get(start + k) {
                                Some(x) => $conv(*x),
                                None => Num::Null,
                            };
                        }
                    }
                    n => {
                        for (k, o) in out.iter_mut().enumerate() {
                            let i = start + k;
                            *o = match v.get(i) {
                                Some(x) if !n.is_null(i) => $conv(*x),
                                _ => Num::Null,
                            };
                        }
                    }
                }
            }};
        }
        match &self.0 {
            NumRepr::F64(v, n) => prim!(v, n, Num::Float),
            NumRepr::I64(v, n) => prim!(v, n, Num::Int),
            NumRepr::I32(v, n) => prim!(v, n, |x: i32| Num::Int(x as i64)),
            NumRepr::I16(v, n) => prim!(v, n, |x: i16| Num::Int(x as i64)),
            NumRepr::I8(v, n) => prim!(v, n, |x: i8| Num::Int(x as i64)),
            _ => {
                for (k, o) in out.iter_mut().enumerate() {
                    *o = self.get(start + k);
                }
            }
        }
    }
}

macro_rules! num_from {
    ($t:ty, $variant:ident) => {
        impl<'a> From<&'a [$t]> for NumCol<'a> {
            fn from(s: &'a [$t]) -> Self {
                NumCol(NumRepr::$variant(s, Nulls::None))
            }
        }
        impl<'a> From<&'a Vec<$t>> for NumCol<'a> {
            fn from(s: &'a Vec<$t>) -> Self {
                NumCol(NumRepr::$variant(s, Nulls::None))
            }
        }
        impl<'a, const N: usize> From<&'a [$t; N]> for NumCol<'a> {
            fn from(s: &'a [$t; N]) -> Self {
                NumCol(NumRepr::$variant(s, Nulls::None))
            }
        }
    };
}
num_from!(f64, F64);
num_from!(f32, F32);
num_from!(i64, I64);
num_from!(i32, I32);
num_from!(u32, U32);
num_from!(u8, U8);
num_from!(i16, I16);
num_from!(i8, I8);
num_from!(u64, U64);
num_from!(u16, U16);

macro_rules! num_from_opt {
    ($t:ty, $variant:ident) => {
        impl<'a> From<&'a [Option<$t>]> for NumCol<'a> {
            fn from(s: &'a [Option<$t>]) -> Self {
                NumCol(NumRepr::$variant(s))
            }
        }
        impl<'a> From<&'a Vec<Option<$t>>> for NumCol<'a> {
            fn from(s: &'a Vec<Option<$t>>) -> Self {
                NumCol(NumRepr::$variant(s))
            }
        }
        impl<'a, const N: usize> From<&'a [Option<$t>; N]> for NumCol<'a> {
            fn from(s: &'a [Option<$t>; N]) -> Self {
                NumCol(NumRepr::$variant(s))
            }
        }
    };
}
num_from_opt!(f64, OptF64);
num_from_opt!(i64, OptI64);
num_from_opt!(i32, OptI32);

/// A value read from a date column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateVal<'a> {
    Null,
    Date(Date),
    /// Text that is not a date.
    Bad(&'a str),
}

/// A date column: [`Date`]s, days since 1970-01-01, `YYYY-MM-DD` strings, or (with the `arrow`
/// feature) Arrow `Date32`, `Date64` and time-zone-naive timestamps (the date part is used).
#[derive(Clone, Debug)]
pub struct DateCol<'a>(pub(crate) DateRepr<'a>);

#[derive(Clone, Debug)]
pub(crate) enum DateRepr<'a> {
    Dates(&'a [Date]),
    OptDates(&'a [Option<Date>]),
    /// Days since the epoch (Arrow Date32).
    Days(&'a [i32], Nulls<'a>),
    /// Ticks since the epoch, `per_day` ticks a day (Date64, timestamps).
    #[cfg_attr(not(feature = "arrow"), allow(dead_code))]
    Ticks(&'a [i64], Nulls<'a>, i64),
    Text(StrCol<'a>),
}

impl<'a> DateCol<'a> {
    /// A date column read from `YYYY-MM-DD` strings (nulls and empty strings are null dates;
    /// anything else that is not a date makes its row rejected).
    pub fn parse(strings: impl Into<StrCol<'a>>) -> DateCol<'a> {
        DateCol(DateRepr::Text(strings.into()))
    }

    /// A date column from days since 1970-01-01.
    pub fn from_days(days: &'a [i32]) -> DateCol<'a> {
        DateCol(DateRepr::Days(days, Nulls::None))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        match &self.0 {
            DateRepr::Dates(v) => v.len(),
            DateRepr::OptDates(v) => v.len(),
            DateRepr::Days(v, _) => v.len(),
            DateRepr::Ticks(v, _, _) => v.len(),
            DateRepr::Text(s) => s.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub(crate) fn get(&self, i: usize) -> DateVal<'a> {
        match &self.0 {
            DateRepr::Dates(v) => v.get(i).map_or(DateVal::Null, |d| DateVal::Date(*d)),
            DateRepr::OptDates(v) => match v.get(i) {
                Some(Some(d)) => DateVal::Date(*d),
                _ => DateVal::Null,
            },
            DateRepr::Days(v, n) => match v.get(i) {
                Some(d) if !n.is_null(i) => DateVal::Date(Date::from_days(*d)),
                _ => DateVal::Null,
            },
            DateRepr::Ticks(v, n, per_day) => match v.get(i) {
                Some(t) if !n.is_null(i) => {
                    let days = t.div_euclid((*per_day).max(1));
                    match i32::try_from(days) {
                        Ok(d) => DateVal::Date(Date::from_days(d)),
                        Err(_) => DateVal::Bad("(timestamp out of range)"),
                    }
                }
                _ => DateVal::Null,
            },
            DateRepr::Text(s) => match s.get(i) {
                None => DateVal::Null,
                Some(t) => match t.parse::<Date>() {
                    Ok(d) => DateVal::Date(d),
                    Err(_) => DateVal::Bad(t),
                },
            },
        }
    }
}

impl<'a> From<&'a [Date]> for DateCol<'a> {
    fn from(s: &'a [Date]) -> Self {
        DateCol(DateRepr::Dates(s))
    }
}
impl<'a> From<&'a Vec<Date>> for DateCol<'a> {
    fn from(s: &'a Vec<Date>) -> Self {
        DateCol(DateRepr::Dates(s))
    }
}
impl<'a, const N: usize> From<&'a [Date; N]> for DateCol<'a> {
    fn from(s: &'a [Date; N]) -> Self {
        DateCol(DateRepr::Dates(s))
    }
}
impl<'a, const N: usize> From<&'a [Option<Date>; N]> for DateCol<'a> {
    fn from(s: &'a [Option<Date>; N]) -> Self {
        DateCol(DateRepr::OptDates(s))
    }
}
impl<'a> From<&'a [Option<Date>]> for DateCol<'a> {
    fn from(s: &'a [Option<Date>]) -> Self {
        DateCol(DateRepr::OptDates(s))
    }
}
impl<'a> From<&'a Vec<Option<Date>>> for DateCol<'a> {
    fn from(s: &'a Vec<Option<Date>>) -> Self {
        DateCol(DateRepr::OptDates(s))
    }
}

/// Split a scope list written in one cell: `医师,护士`, `医师、护士`, `急诊科；ICU` ... Separators
/// are `,` `，` `、` `;` `；` `|`; items are trimmed and empty items dropped.
pub(crate) fn split_list(s: &str) -> impl Iterator<Item = &str> {
    s.split([',', '，', '、', ';', '；', '|'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_trimmed_and_empty_is_null() {
        let v = vec![" a ", "", "b"];
        let c = StrCol::from(&v);
        assert_eq!(c.get(0), Some("a"));
        assert_eq!(c.get(1), None);
        assert_eq!(c.get(2), Some("b"));
        assert_eq!(c.get(3), None);
    }

    #[test]
    fn numbers() {
        let v = vec![Some(1.5), None];
        let c = NumCol::from(&v);
        assert_eq!(c.get(0), Num::Float(1.5));
        assert_eq!(c.get(1), Num::Null);
        let w = vec![3i64];
        assert_eq!(NumCol::from(&w).get(0), Num::Int(3));
    }

    #[test]
    fn lists() {
        let v: Vec<&str> = split_list(" 医师、护士,, 医技 ；药学").collect();
        assert_eq!(v, ["医师", "护士", "医技", "药学"]);
    }
}
