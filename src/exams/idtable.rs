//! A string → id table for the hot loop's staff lookups.
//!
//! Millions of sittings are matched against a roster of up to hundreds of thousands of staff
//! ids. With rows in random order each lookup is a few cache misses, so the table is built for
//! memory-level parallelism: open addressing over 8-byte slots (a 32-bit hash tag and the id),
//! keys kept back to back in one buffer, and a two-phase lookup for a block of rows — first
//! every row's hash and first slot are loaded (independent loads the CPU overlaps), then the
//! keys are compared.

use super::names::Names;
use rustc_hash::FxHasher;
use std::hash::Hasher;

const EMPTY: u64 = 0;

/// Ids of a fixed set of distinct strings.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdTable {
    slots: Vec<u64>,
    shift: u32,
    /// The keys; id = position.
    pub(crate) names: Names,
}

/// A key's hash, and the first slot to probe.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Probe {
    hash: u64,
    slot: u64,
}

#[inline]
fn hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[inline]
fn tag(h: u64) -> u64 {
    // low 32 bits of the hash, never 0 so that a used slot is never EMPTY
    ((h as u32) | 1) as u64
}

impl IdTable {
    /// A table over distinct keys (ids = positions in `names`).
    pub(crate) fn new(names: Names) -> IdTable {
        let n = names.len().max(1);
        let cap = (n * 2).next_power_of_two().max(16);
        let bits = cap.trailing_zeros();
        let mut t = IdTable {
            slots: vec![EMPTY; cap],
            shift: 64 - bits,
            names,
        };
        for id in 0..t.names.len() as u32 {
            let h = hash(t.names.get(id));
            let mut i = t.index(h);
            while t.slots[i] != EMPTY {
                i = (i + 1) & (cap - 1);
            }
            t.slots[i] = (tag(h) << 32) | id as u64;
        }
        t
    }

    #[inline]
    fn index(&self, h: u64) -> usize {
        (h >> self.shift) as usize
    }

    /// Phase 1: hash the key and load its first slot.
    #[inline]
    pub(crate) fn start(&self, s: &str) -> Probe {
        let h = hash(s);
        Probe {
            hash: h,
            slot: self.slots.get(self.index(h)).copied().unwrap_or(EMPTY),
        }
    }

    /// Phase 2: the key's id, if present.
    #[inline]
    pub(crate) fn finish(&self, s: &str, p: Probe) -> Option<u32> {
        let want = tag(p.hash);
        let mask = self.slots.len() - 1;
        let mut i = self.index(p.hash);
        let mut slot = p.slot;
        loop {
            if slot == EMPTY {
                return None;
            }
            if slot >> 32 == want {
                let id = slot as u32;
                if self.names.get(id) == s {
                    return Some(id);
                }
            }
            i = (i + 1) & mask;
            slot = self.slots[i];
        }
    }

    /// The key's id, if present.
    pub(crate) fn get(&self, s: &str) -> Option<u32> {
        self.finish(s, self.start(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_key_and_nothing_else() {
        let keys: Vec<String> = (0..5000).map(|i| format!("S{i:05}")).collect();
        let t = IdTable::new(Names::from_strs(keys.iter().map(String::as_str)));
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(k), Some(i as u32));
        }
        for k in ["", "S5000", "S0000", "s00001", "S00001 "] {
            assert_eq!(t.get(k), None, "{k}");
        }
        let empty = IdTable::new(Names::default());
        assert_eq!(empty.get("x"), None);
    }
}
