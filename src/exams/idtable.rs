//! A string → id table for the hot loop's staff lookups.
//!
//! Millions of sittings are matched against a roster of up to hundreds of thousands of staff
//! ids. With rows in random order each lookup misses the cache, so the table is built to miss
//! once: open addressing over 32-byte entries (two per cache line) holding a 32-bit hash tag,
//! the id and the key itself when it is at most 23 bytes long (staff ids are), so that finding
//! and verifying a key reads one cache line; longer keys are compared against the names. A
//! block of rows is looked up in two phases — first every row's hash is computed and its first
//! entry loaded (independent loads that the CPU overlaps), then the keys are compared.

use super::names::Names;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// Keys up to this many bytes are stored in the entry.
const INLINE: usize = 23;
/// `len` of an entry whose key is longer than [`INLINE`].
const LONG: u8 = u8::MAX;

/// One slot: `tag == 0` means empty.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(32))]
struct Entry {
    tag: u32,
    id: u32,
    len: u8,
    key: [u8; INLINE],
}

const EMPTY: Entry = Entry {
    tag: 0,
    id: 0,
    len: 0,
    key: [0; INLINE],
};

/// Ids of a fixed set of distinct strings.
#[derive(Debug, Clone, Default)]
pub(crate) struct IdTable {
    entries: Vec<Entry>,
    shift: u32,
    /// The keys; id = position.
    pub(crate) names: Names,
}

/// A key's hash, and the tag of the first entry to probe.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Probe {
    hash: u64,
    first: u32,
}

#[inline]
fn hash(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish().wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

#[inline]
fn tag(h: u64) -> u32 {
    // low 32 bits of the hash, never 0 so that a used entry is never empty
    (h as u32) | 1
}

/// The 8 bytes of `s` at `at..at + 8` (zeros past the end).
#[inline(always)]
fn word8(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(w) = s.get(at..at + 8) {
        b.copy_from_slice(w);
    }
    u64::from_le_bytes(b)
}

/// The 4 bytes of `s` at `at..at + 4` (zeros past the end).
#[inline(always)]
fn word4(s: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(w) = s.get(at..at + 4) {
        b.copy_from_slice(w);
    }
    u32::from_le_bytes(b)
}

/// Whether the first `s.len()` bytes of an entry's key equal `s` (`s.len() <= INLINE`), with
/// a few overlapping word compares instead of a call to `memcmp`.
#[inline(always)]
fn same_short(key: &[u8; INLINE], s: &[u8]) -> bool {
    let n = s.len();
    if n >= 8 {
        let mid = (n / 2).saturating_sub(4).min(n - 8);
        word8(key, 0) == word8(s, 0)
            && word8(key, mid) == word8(s, mid)
            && word8(key, n - 8) == word8(s, n - 8)
    } else if n >= 4 {
        word4(key, 0) == word4(s, 0) && word4(key, n - 4) == word4(s, n - 4)
    } else {
        key.get(..n) == Some(s)
    }
}

impl IdTable {
    /// A table over distinct keys (ids = positions in `names`).
    pub(crate) fn new(names: Names) -> IdTable {
        let n = names.len().max(1);
        // load factor between 0.33 and 0.67
        let cap = (n + n / 2).next_power_of_two().max(16);
        let bits = cap.trailing_zeros();
        let mut t = IdTable {
            entries: vec![EMPTY; cap],
            shift: 64 - bits,
            names,
        };
        for id in 0..t.names.len() as u32 {
            let key = t.names.get(id);
            let h = hash(key);
            let mut i = t.index(h);
            while t.entries[i].tag != 0 {
                i = (i + 1) & (cap - 1);
            }
            let mut e = Entry {
                tag: tag(h),
                id,
                len: LONG,
                key: [0; INLINE],
            };
            if key.len() <= INLINE {
                e.len = key.len() as u8;
                e.key[..key.len()].copy_from_slice(key.as_bytes());
            }
            t.entries[i] = e;
        }
        t
    }

    #[inline]
    fn index(&self, h: u64) -> usize {
        (h >> self.shift) as usize
    }

    /// The key's hash (phase 1a: no memory access, so that a block of keys can be hashed
    /// first and their first entries then loaded in a tight loop, many loads in flight).
    #[inline]
    pub(crate) fn hash_of(s: &str) -> u64 {
        hash(s)
    }

    /// Phase 1b: load the first entry for a hash.
    #[inline]
    pub(crate) fn start_hashed(&self, h: u64) -> Probe {
        Probe {
            hash: h,
            first: self.entries.get(self.index(h)).map_or(0, |e| e.tag),
        }
    }

    /// Phase 1: hash the key and load its first entry.
    #[inline]
    pub(crate) fn start(&self, s: &str) -> Probe {
        let h = hash(s);
        Probe {
            hash: h,
            first: self.entries.get(self.index(h)).map_or(0, |e| e.tag),
        }
    }

    /// Phase 2: the key's id, if present.
    #[inline]
    pub(crate) fn finish(&self, s: &str, p: Probe) -> Option<u32> {
        let want = tag(p.hash);
        let mask = self.entries.len() - 1;
        let mut i = self.index(p.hash);
        if p.first == 0 {
            return None;
        }
        loop {
            let e = &self.entries[i];
            if e.tag == 0 {
                return None;
            }
            if e.tag == want {
                let same = if e.len == LONG {
                    self.names.get(e.id) == s
                } else {
                    e.len as usize == s.len() && same_short(&e.key, s.as_bytes())
                };
                if same {
                    return Some(e.id);
                }
            }
            i = (i + 1) & mask;
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
        // keys longer than an entry holds, and keys that differ only after 23 bytes
        let long: Vec<String> = (0..300)
            .map(|i| format!("医院-某某科室-工号-{i:05}-附加"))
            .chain((0..300).map(|i| format!("{}{i}", "x".repeat(23))))
            .collect();
        let t = IdTable::new(Names::from_strs(long.iter().map(String::as_str)));
        for (i, k) in long.iter().enumerate() {
            assert_eq!(t.get(k), Some(i as u32), "{k}");
        }
        assert_eq!(t.get(&"x".repeat(23)), None);
        assert_eq!(t.get("医院-某某科室-工号-00001-附"), None);
        let empty = IdTable::new(Names::default());
        assert_eq!(empty.get("x"), None);
    }
}
