//! Exact score comparisons at float speed.
//!
//! A score arrives as a float and is read as the decimal the user typed
//! ([`crate::ratio::decimal_from_f64`]); pass marks and full marks are exact decimals. Comparing
//! `decimal_from_f64(score) >= pass_mark` for millions of sittings would be slow, so each
//! decimal bound is turned once into the float boundary that gives the same answer: the reading
//! is monotone in the float, so `decimal_from_f64(x) >= d` holds exactly when `x >= lo` for the
//! smallest such float `lo`, found by bisection over the ordered float bit patterns with the
//! decimal reading itself as the judge. If the bisection cannot confirm its bracket (a bound
//! beyond what floats hold), every comparison falls back to the decimal reading.

use crate::ratio::decimal_from_f64;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// Map a float to an unsigned key with the same order (for non-NaN floats; -0.0 < +0.0).
fn key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

fn unkey(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// `decimal_from_f64(x) >= d`, the slow exact way (false for non-finite values that are not
/// +infinity).
fn reads_at_least(x: f64, d: Decimal) -> bool {
    match decimal_from_f64(x) {
        Some(v) => v >= d,
        None => x == f64::INFINITY,
    }
}

/// The test `decimal_from_f64(x) >= d` for a fixed `d`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtLeast {
    d: Decimal,
    /// Smallest float whose reading is `>= d`; `None` = fall back to the decimal reading.
    lo: Option<f64>,
}

impl AtLeast {
    pub(crate) fn new(d: Decimal) -> AtLeast {
        AtLeast { d, lo: boundary(d) }
    }

    /// Whether `x` (not NaN) reads as a decimal `>= d`.
    #[inline]
    pub(crate) fn holds(&self, x: f64) -> bool {
        match self.lo {
            Some(lo) => x >= lo,
            None => reads_at_least(x, self.d),
        }
    }
}

/// The test `decimal_from_f64(x) <= d` for a fixed `d`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtMost {
    d: Decimal,
    /// Largest float whose reading is `<= d`.
    hi: Option<f64>,
}

impl AtMost {
    pub(crate) fn new(d: Decimal) -> AtMost {
        // reading(x) <= d  <=>  -reading(-x) ... the reading is symmetric in sign, so
        // reading(x) <= d  <=>  reading(-x) >= -d.
        AtMost {
            d,
            hi: boundary(-d).map(|lo| -lo),
        }
    }

    /// Whether `x` (not NaN) reads as a decimal `<= d`.
    #[inline]
    pub(crate) fn holds(&self, x: f64) -> bool {
        match self.hi {
            Some(hi) => x <= hi,
            None => match decimal_from_f64(x) {
                Some(v) => v <= self.d,
                None => x == f64::NEG_INFINITY,
            },
        }
    }
}

/// Smallest float `x` with `decimal_from_f64(x) >= d`, if it can be bracketed.
fn boundary(d: Decimal) -> Option<f64> {
    let centre = d.to_f64()?;
    if !centre.is_finite() {
        return None;
    }
    // Bracket: reading(lo) < d <= reading(hi), widening a few times.
    let mut margin = centre.abs() * 1e-9 + 1e-12;
    for _ in 0..8 {
        let lo = centre - margin;
        let hi = centre + margin;
        if !reads_at_least(lo, d) && reads_at_least(hi, d) {
            let (mut a, mut b) = (key(lo), key(hi)); // invariant: !P(a), P(b)
            while b - a > 1 {
                let m = a + (b - a) / 2;
                if reads_at_least(unkey(m), d) {
                    b = m;
                } else {
                    a = m;
                }
            }
            return Some(unkey(b));
        }
        margin *= 1000.0;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ratio::parse_decimal;

    fn check(d: &str) {
        let dec = parse_decimal(d).unwrap();
        let ge = AtLeast::new(dec);
        let le = AtMost::new(dec);
        assert!(ge.lo.is_some(), "{d}");
        assert!(le.hi.is_some(), "{d}");
        let c = dec.to_f64().unwrap();
        let mut s: u64 = 0x243F_6A88_85A3_08D3;
        for i in 0..40_000i64 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let off = (s % 4001) as i64 - 2000;
            let x = if i % 2 == 0 {
                unkey(key(c).wrapping_add_signed(off))
            } else {
                c + (off as f64) * 1e-3
            };
            let v = decimal_from_f64(x).unwrap();
            assert_eq!(ge.holds(x), v >= dec, "{x:e} >= {d}");
            assert_eq!(le.holds(x), v <= dec, "{x:e} <= {d}");
        }
    }

    #[test]
    fn bounds_agree_with_decimal_reading() {
        for d in [
            "60", "80", "59.5", "0", "100", "0.3", "95.25", "1", "150", "-2",
        ] {
            check(d);
        }
    }

    #[test]
    fn plain_cases() {
        let ge = AtLeast::new(parse_decimal("60").unwrap());
        assert!(ge.holds(60.0));
        assert!(!ge.holds(59.99));
        assert!(ge.holds(0.1 * 3.0 * 200.0)); // 60.00000000000001 reads as 60
        let just_below = f64::from_bits(60f64.to_bits() - 1); // 59.99999999999999
        assert_eq!(
            ge.holds(just_below),
            decimal_from_f64(just_below).unwrap() >= Decimal::from(60)
        );
        let le = AtMost::new(parse_decimal("100").unwrap());
        assert!(le.holds(100.0));
        assert!(!le.holds(100.5));
        assert!(!le.holds(f64::INFINITY));
        let zero = AtLeast::new(Decimal::ZERO);
        assert!(zero.holds(0.0));
        assert!(zero.holds(-0.0));
        assert!(!zero.holds(-0.5));
    }
}
