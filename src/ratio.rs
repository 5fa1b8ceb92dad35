//! Exact rates and decimal thresholds.
//!
//! Grades are decided at thresholds such as "pass rate >= 95%". Deciding them with floating-point
//! arithmetic gets boundary cases wrong (and some real systems reported 0% participation through
//! integer division), so sanjia keeps every number that reaches a threshold exact:
//!
//! * thresholds, weights and points are [`Decimal`]s parsed from the rulebook's text
//!   (`"95%"` is exactly `0.95`);
//! * rates built from counts stay ratios ([`Quantity::Ratio`]) and are compared by
//!   cross-multiplication, so `95/100 >= 95%` holds and `94/99 >= 95%` does not;
//! * a floating-point value coming from a table is read as the decimal the user typed, i.e.
//!   rounded to 15 significant digits ([`decimal_from_f64`]); `0.1 + 0.2` is read as `0.3`.
//!
//! ```
//! use sanjia::ratio::{Quantity, Target};
//! let target: Target = ">= 95%".parse().unwrap();
//! assert!(target.holds(&Quantity::ratio_of_counts(95, 100).unwrap()));
//! assert!(!target.holds(&Quantity::ratio_of_counts(94, 99).unwrap()));
//! ```

// Input path: no unwrap / expect / panic on data from files or tables (docs/reliability.md).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::{Decimal, RoundingStrategy};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A number that could not be read: the text and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a number sanjia can use exactly: {reason}")]
pub struct NumberError {
    /// The text (or value) that was rejected.
    pub text: String,
    /// Why it was rejected.
    pub reason: String,
}

impl NumberError {
    fn new(text: impl Into<String>, reason: impl Into<String>) -> Self {
        NumberError {
            text: text.into(),
            reason: reason.into(),
        }
    }
}

/// The largest number of significant digits a decimal written in a rulebook may have.
///
/// Fifteen digits survive a round trip through a 64-bit float, so a number written in TOML or
/// JSON as a float is recovered exactly.
pub const MAX_SIGNIFICANT_DIGITS: u32 = 15;

/// Parse a decimal as written in a rulebook or a condition: `93.5`, `-2`, `0.95`, `95%`, `5‰`.
///
/// A percent sign divides by 100 and a per-mille sign by 1000, exactly. Exponents, `NaN` and
/// infinities are rejected.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    let t = text.trim();
    let (body, divisor) = if let Some(b) = t.strip_suffix('%') {
        (b.trim_end(), 100)
    } else if let Some(b) = t.strip_suffix('‰') {
        (b.trim_end(), 1000)
    } else {
        (t, 1)
    };
    if body.is_empty() {
        return Err(NumberError::new(text, "it is empty"));
    }
    let ok = body
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || c == '.' || ((c == '-' || c == '+') && i == 0));
    if !ok {
        return Err(NumberError::new(
            text,
            "write plain digits with an optional sign, decimal point and % (no exponents)",
        ));
    }
    let d = Decimal::from_str(body).map_err(|e| NumberError::new(text, e.to_string()))?;
    check_digits(text, d)?;
    Ok(d / Decimal::from(divisor))
}

fn check_digits(text: &str, d: Decimal) -> Result<(), NumberError> {
    let n = d.normalize();
    let digits = n.mantissa().unsigned_abs().to_string().len() as u32;
    if digits > MAX_SIGNIFICANT_DIGITS {
        return Err(NumberError::new(
            text,
            format!("it has more than {MAX_SIGNIFICANT_DIGITS} significant digits"),
        ));
    }
    Ok(())
}

/// Read a float from a table or a TOML/JSON number as the decimal the user typed: rounded to
/// 15 significant digits. `None` for NaN, infinities and magnitudes beyond what a [`Decimal`]
/// holds (about 7.9e28).
#[inline(always)]
pub fn decimal_from_f64(v: f64) -> Option<Decimal> {
    if !v.is_finite() {
        return None;
    }
    match small_from_f64(v) {
        Some((m, k)) => Some(small_decimal(m, k)),
        None => round15(v),
    }
}

/// [`decimal_from_f64`] of the usual float (a count, or a value typed with up to 6 decimal
/// places) as its mantissa and scale, `m / 10^k` in normal form (`|m| < 10^15`, `k <= 6`,
/// no trailing zero when `k > 0`), without building a [`Decimal`]; `None` for any other
/// float, NaN and infinities included.
#[inline(always)]
pub(crate) fn small_from_f64(v: f64) -> Option<(i64, u32)> {
    // If the decimal m / 10^k (|m| < 10^15, so at most 15 significant digits) is the float's
    // nearest decimal, i.e. it converts back to exactly `v`, it is also what rounding `v` to 15
    // significant digits gives: 15-digit decimals are further apart than a float's spacing.
    // Integers first, with casts only (no libm call): `v as i64` truncates, and is `v` back
    // exactly when `v` is an integer (|v| < 10^15 keeps it within 15 digits). NaN fails every
    // comparison, and an infinity every bound.
    if v.abs() < 1e15 {
        let i = v as i64;
        if i as f64 == v {
            return Some((i, 0));
        }
    }
    const POW10: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];
    for (k, p) in POW10.iter().enumerate().skip(1) {
        let x = v * p;
        if x.abs() >= 1e15 {
            break;
        }
        // Round half away from zero with a cast (|x| < 10^15, so x ± 0.5 is exact enough:
        // a wrong neighbour fails the check below and the next power is tried).
        let m = (x + 0.5f64.copysign(x)) as i64;
        if m as f64 / p == v {
            // Trailing zeros removed on the integer (what `normalize` does, without the
            // 96-bit division loop); m is not 0 here (0 is an integer).
            let (mut m, mut k) = (m, k as u32);
            while k > 0 && m % 10 == 0 {
                m /= 10;
                k -= 1;
            }
            return Some((m, k));
        }
    }
    None
}

/// `Decimal::new(m, k)` for a scale `k` of at most 6, inlined (the library's is a call, and
/// its decimal comes back through memory: a stall for every value of a table).
#[inline(always)]
pub(crate) fn small_decimal(m: i64, k: u32) -> Decimal {
    let a = m.unsigned_abs();
    Decimal::from_parts(a as u32, (a >> 32) as u32, 0, m < 0, k)
}

/// `v` rounded to 15 significant digits, exactly (the float formatter rounds correctly).
#[cold]
fn round15(v: f64) -> Option<Decimal> {
    if v.abs() < 1e-13 {
        // 15 significant digits would need more than the 28 decimal places a Decimal has:
        // keep 28 places (a value this small is 0 for every threshold a rulebook writes).
        return Decimal::from_f64(v).map(|d| d.normalize());
    }
    let text = format!("{v:.14e}");
    Decimal::from_scientific(&text).ok().map(|d| d.normalize())
}

/// The powers of ten a [`Decimal`]'s scale can differ by (0 to 28), as 128-bit integers.
const POW10_I128: [i128; 29] = {
    let mut t = [1i128; 29];
    let mut k = 1;
    while k < 29 {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// `(m / 10^k).cmp(d)` for a small decimal given by its parts ([`small_from_f64`]), in
/// 128-bit integers, without building a [`Decimal`] (whose address, taken by the library's
/// comparison, would keep it in memory); `None` when the integers would overflow.
#[inline(always)]
pub(crate) fn cmp_small(m: i64, k: u32, d: &Decimal) -> Option<Ordering> {
    let (x, y, sy) = (i128::from(m), d.mantissa(), d.scale());
    let p = *POW10_I128.get(k.abs_diff(sy) as usize)?;
    Some(if k >= sy {
        x.cmp(&y.checked_mul(p)?)
    } else {
        x.checked_mul(p)?.cmp(&y)
    })
}

/// `a.cmp(b)`, without the library's general 96-bit rescaling for the usual decimals: the
/// mantissas compared directly at the same scale, or as 128-bit integers when both fit 64 bits
/// and the scales differ by at most 18 places.
#[inline(always)]
pub fn cmp_decimal(a: &Decimal, b: &Decimal) -> Ordering {
    // Two i64 mantissas times at most 10^18 stay within an i128.
    const POW10: &[i128] = POW10_I128.split_at(19).0;
    let (x, y) = (a.mantissa(), b.mantissa());
    let (sx, sy) = (a.scale(), b.scale());
    if sx == sy {
        return x.cmp(&y);
    }
    let small = |m: i128| i64::try_from(m).is_ok();
    match (small(x) && small(y), POW10.get(sx.abs_diff(sy) as usize)) {
        (true, Some(&p)) if sx < sy => (x * p).cmp(&y),
        (true, Some(&p)) => x.cmp(&(y * p)),
        _ => a.cmp(b),
    }
}

/// Decimal places kept by [`snap`].
pub const SNAP_PLACES: u32 = 20;

/// Whether a decimal is certainly exact: at most 18 decimal places. A division whose result
/// does not terminate is rounded to 28 significant digits, i.e. to more places than this.
pub fn is_exact(d: Decimal) -> bool {
    // Normalizing only lowers the scale: look at it first.
    d.scale() <= 18 || d.normalize().scale() <= 18
}

/// Round a computed value to 20 decimal places before it is compared or rounded.
///
/// Points are computed with 28 significant digits; a sum of divisions (a mean of thirds, a
/// weighted rate) can land 1e-27 away from the exact value. Every value sanjia computes is a
/// ratio of integers whose denominator is far below 10^10, and thresholds have at most 15
/// significant digits, so a value that differs from a threshold differs by more than 10^-20:
/// snapping to 20 places removes the division noise and nothing else.
pub fn snap(d: Decimal) -> Decimal {
    if d.scale() <= SNAP_PLACES {
        d
    } else {
        d.round_dp_with_strategy(SNAP_PLACES, RoundingStrategy::MidpointAwayFromZero)
    }
}

/// A computed decimal for people to read: snapped, rounded half-up to `places`, without
/// trailing zeros (`9.7222…2` → `9.7222` at 4 places; `5.0000…0` → `5`).
pub fn display(d: Decimal, places: u32) -> Decimal {
    snap(d)
        .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// A decimal as a float, for display and for tables (never for decisions).
pub fn decimal_to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(f64::NAN)
}

/// A comparison operator as written in a rulebook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `==` (also written `=`)
    Eq,
    /// `!=`
    Ne,
}

impl Op {
    /// Whether `left OP right` holds, given `left.cmp(right)`.
    pub fn holds(self, ord: Ordering) -> bool {
        match self {
            Op::Ge => ord != Ordering::Less,
            Op::Gt => ord == Ordering::Greater,
            Op::Le => ord != Ordering::Greater,
            Op::Lt => ord == Ordering::Less,
            Op::Eq => ord == Ordering::Equal,
            Op::Ne => ord != Ordering::Equal,
        }
    }

    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    /// Split a leading operator off `text`: `">= 95%"` gives `(Ge, " 95%")`. Accepts `≥` and `≤`.
    pub fn split_prefix(text: &str) -> Option<(Op, &str)> {
        const OPS: [(&str, Op); 9] = [
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("≥", Op::Ge),
            ("≤", Op::Le),
            (">", Op::Gt),
            ("<", Op::Lt),
            ("=", Op::Eq),
        ];
        let t = text.trim_start();
        OPS.iter()
            .find_map(|(s, op)| t.strip_prefix(s).map(|rest| (*op, rest)))
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// An exact quantity: a decimal, or a ratio of two decimals kept unevaluated (a rate from
/// counts, a share of articles, points over maximum points).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// A decimal value.
    Decimal(Decimal),
    /// `num / den` with `den > 0`.
    Ratio {
        /// Numerator.
        num: Decimal,
        /// Denominator, always positive.
        den: Decimal,
    },
}

impl Quantity {
    /// `num / den`; `None` when `den` is not positive.
    pub fn ratio(num: Decimal, den: Decimal) -> Option<Quantity> {
        (den > Decimal::ZERO).then_some(Quantity::Ratio { num, den })
    }

    /// `num / den` from counts; `None` when `den` is zero.
    pub fn ratio_of_counts(num: u64, den: u64) -> Option<Quantity> {
        Quantity::ratio(Decimal::from(num), Decimal::from(den))
    }

    /// The value as a decimal (a ratio is divided to 28 significant digits): for display.
    pub fn to_decimal(self) -> Decimal {
        match self {
            Quantity::Decimal(d) => d,
            Quantity::Ratio { num, den } => num.checked_div(den).unwrap_or(Decimal::MAX),
        }
    }

    /// The value as a float: for tables and plots, never for decisions.
    pub fn to_f64(self) -> f64 {
        match self {
            Quantity::Decimal(d) => decimal_to_f64(d),
            Quantity::Ratio { num, den } => decimal_to_f64(num) / decimal_to_f64(den),
        }
    }

    fn parts(self) -> (Decimal, Decimal) {
        match self {
            Quantity::Decimal(d) => (d, Decimal::ONE),
            Quantity::Ratio { num, den } => (num, den),
        }
    }

    /// Compare exactly.
    ///
    /// When all four numbers are exact (see [`is_exact`]), by cross-multiplication. Otherwise
    /// (a side carries the rounding of a division, e.g. the mean of thirds) both sides are
    /// divided and [snapped](snap) to 20 decimal places first, so that
    /// `(10/3 + 25/3 + 20/6) / 3` equals `5`.
    pub fn cmp_exact(&self, other: &Quantity) -> Ordering {
        // Two decimals (the usual value against a target): cross-multiplying by 1 is the
        // decimals themselves.
        if let (Quantity::Decimal(a), Quantity::Decimal(c)) = (self, other) {
            if is_exact(*a) && is_exact(*c) {
                return cmp_decimal(a, c);
            }
        }
        let (a, b) = self.parts();
        let (c, d) = other.parts();
        if [a, b, c, d].iter().all(|x| is_exact(*x)) {
            if let (Some(l), Some(r)) = (a.checked_mul(d), c.checked_mul(b)) {
                return l.cmp(&r);
            }
        }
        snap(self.to_decimal()).cmp(&snap(other.to_decimal()))
    }

    /// Round for display: a ratio is shown as a decimal with `places` places, half-up.
    pub fn display_decimal(self, places: u32) -> Decimal {
        self.to_decimal()
            .round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero)
            .normalize()
    }
}

impl From<Decimal> for Quantity {
    fn from(d: Decimal) -> Self {
        Quantity::Decimal(d)
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp_exact(other))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quantity::Decimal(d) => write!(f, "{}", display(*d, 6)),
            Quantity::Ratio { num, den } => write!(
                f,
                "{}/{} ({}%)",
                display(*num, 6),
                display(*den, 6),
                (Quantity::Ratio {
                    num: *num * Decimal::ONE_HUNDRED,
                    den: *den
                })
                .display_decimal(2)
            ),
        }
    }
}

/// A threshold as written in a rulebook: an operator and an exact decimal, e.g. `>= 95%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The comparison.
    pub op: Op,
    /// The decimal compared against.
    pub value: Decimal,
}

impl Target {
    /// Whether `q OP value` holds, exactly.
    pub fn holds(&self, q: &Quantity) -> bool {
        self.op.holds(q.cmp_exact(&Quantity::Decimal(self.value)))
    }
}

impl FromStr for Target {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (op, rest) = Op::split_prefix(s).ok_or_else(|| {
            NumberError::new(
                s,
                "a target starts with >=, >, <=, <, == or != (e.g. \">= 95%\")",
            )
        })?;
        Ok(Target {
            op,
            value: parse_decimal(rest)?,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.op, self.value.normalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        parse_decimal(s).unwrap()
    }

    #[test]
    fn percent_is_exact() {
        assert_eq!(d("95%"), Decimal::new(95, 2));
        assert_eq!(d("5‰"), Decimal::new(5, 3));
        assert_eq!(d(" 70 % "), Decimal::new(7, 1));
    }

    #[test]
    fn rejects_bad_numbers() {
        for bad in [
            "",
            "%",
            "1e3",
            "NaN",
            "inf",
            "1.2.3",
            "--1",
            "0.1234567890123456",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn boundaries_from_counts() {
        let t: Target = ">= 95%".parse().unwrap();
        assert!(t.holds(&Quantity::ratio_of_counts(95, 100).unwrap()));
        assert!(t.holds(&Quantity::ratio_of_counts(19, 20).unwrap()));
        assert!(!t.holds(&Quantity::ratio_of_counts(94, 99).unwrap()));
        assert!(!t.holds(&Quantity::ratio_of_counts(949_999, 1_000_000).unwrap()));
        let full: Target = ">= 100%".parse().unwrap();
        assert!(full.holds(&Quantity::ratio_of_counts(48, 48).unwrap()));
        assert!(!full.holds(&Quantity::ratio_of_counts(2999, 3000).unwrap()));
        let gt: Target = "> 70%".parse().unwrap();
        assert!(!gt.holds(&Quantity::ratio_of_counts(7, 10).unwrap()));
    }

    #[test]
    fn fast_path_agrees_with_rounding_to_15_digits() {
        let mut x: u64 = 7;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 11
        };
        for _ in 0..200_000 {
            let r = next();
            let v = match r % 6 {
                0 => (r % 100_000) as f64,
                1 => (r % 1_000_000) as f64 / 10.0,
                2 => (r % 10_000_000) as f64 / 1000.0,
                3 => f64::from_bits(r | 0x3ff0_0000_0000_0000) * 93.7,
                4 => -((r % 1_000_000) as f64) / 100.0 + 0.1 + 0.2,
                _ => (r as f64) / 3.0,
            };
            assert_eq!(decimal_from_f64(v), round15(v), "{v:e}");
            // Normal form too (no trailing zeros), as the evidence hash writes it.
            let scale = |d: Option<Decimal>| d.map(|d| d.scale());
            assert_eq!(scale(decimal_from_f64(v)), scale(round15(v)), "{v:e}");
        }
        assert_eq!(decimal_from_f64(0.95), Some(Decimal::new(95, 2)));
        assert_eq!(decimal_from_f64(4286.654), Some(Decimal::new(4286654, 3)));
        assert_eq!(decimal_from_f64(0.57 * 100.0), Some(Decimal::from(57)));
        assert_eq!(decimal_from_f64(1200.0), Some(Decimal::from(1200)));
        for v in [
            0.0,
            -0.0,
            0.5,
            -2.5,
            1e15,
            -1e15,
            999_999_999_999_999.0,
            1e15 + 2.0,
            123_456.789_012,
            -0.000_001,
            1e-7,
            4.5e14 + 0.5,
        ] {
            assert_eq!(decimal_from_f64(v), round15(v), "{v:e}");
            // Normal form too (no trailing zeros), as the evidence hash writes it.
            let scale = |d: Option<Decimal>| d.map(|d| d.scale());
            assert_eq!(scale(decimal_from_f64(v)), scale(round15(v)), "{v:e}");
        }
    }

    #[test]
    fn floats_read_as_typed() {
        assert_eq!(decimal_from_f64(0.1 + 0.2), Some(d("0.3")));
        assert_eq!(decimal_from_f64(93.5), Some(d("93.5")));
        assert_eq!(decimal_from_f64(f64::NAN), None);
        assert_eq!(decimal_from_f64(f64::INFINITY), None);
        let t: Target = ">= 0.3".parse().unwrap();
        assert!(t.holds(&Quantity::Decimal(decimal_from_f64(0.1 + 0.2).unwrap())));
    }

    #[test]
    fn division_noise_is_snapped() {
        let third = |x: i64, y: i64| Decimal::from(x) / Decimal::from(y);
        let mean = (third(10, 3) + third(25, 3) + third(20, 6)) / Decimal::from(3);
        assert_ne!(
            mean,
            Decimal::from(5),
            "the raw mean carries division noise"
        );
        let t: Target = ">= 5".parse().unwrap();
        assert!(t.holds(&Quantity::Decimal(mean)));
        let eq: Target = "== 5".parse().unwrap();
        assert!(eq.holds(&Quantity::Decimal(mean)));
        let one = third(1, 3) + third(1, 3) + third(1, 3);
        assert!(Target {
            op: Op::Ge,
            value: Decimal::ONE
        }
        .holds(&Quantity::Decimal(one)));
        // A real shortfall stays a shortfall.
        let short = Decimal::from(5) - Decimal::new(1, 15);
        assert!(!t.holds(&Quantity::Decimal(short)));
        // Ratios of inexact points are snapped too.
        let q = Quantity::Ratio {
            num: mean,
            den: Decimal::from(10),
        };
        assert!(Target {
            op: Op::Ge,
            value: Decimal::new(5, 1)
        }
        .holds(&q));
    }

    #[test]
    fn ratio_display() {
        let q = Quantity::ratio_of_counts(31, 48).unwrap();
        assert_eq!(q.to_string(), "31/48 (64.58%)");
    }

    #[test]
    fn ops() {
        assert_eq!(Op::split_prefix("≥ 3").unwrap().0, Op::Ge);
        assert_eq!(Op::split_prefix("= 3").unwrap().0, Op::Eq);
        assert_eq!(Op::split_prefix(">3").unwrap(), (Op::Gt, "3"));
        assert!(Op::split_prefix("3").is_none());
    }
}

#[cfg(test)]
mod cmp_tests {
    use super::cmp_decimal;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    proptest! {
        /// The quick comparison agrees with the library's, for small and large mantissas and
        /// every pair of scales.
        #[test]
        fn cmp_decimal_is_cmp(
            a in any::<i64>(), sa in 0u32..=28, b in any::<i64>(), sb in 0u32..=28,
            wide in any::<bool>(),
        ) {
            let x = Decimal::new(a, sa);
            let y = if wide {
                Decimal::from_i128_with_scale(i128::from(b) * 1_000_000_000, sb)
            } else {
                Decimal::new(b, sb)
            };
            prop_assert_eq!(cmp_decimal(&x, &y), x.cmp(&y));
            prop_assert_eq!(cmp_decimal(&y, &x), y.cmp(&x));
            prop_assert_eq!(cmp_decimal(&x, &x), std::cmp::Ordering::Equal);
        }
    }

    #[test]
    fn cmp_decimal_edges() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        for (a, b) in [
            ("0.95", "0.950"),
            ("95", "94.9999"),
            ("-1", "0"),
            ("100", "100.0000000000000000001"),
        ] {
            assert_eq!(cmp_decimal(&d(a), &d(b)), d(a).cmp(&d(b)), "{a} {b}");
        }
    }
}
