//! Owned string dictionaries for results: one buffer and offsets, so a result with 300,000
//! staff names costs two allocations, not 300,000.

/// Strings stored back to back; id = position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Names {
    data: String,
    ends: Vec<usize>,
}

impl Names {
    pub(crate) fn from_strs<'s>(it: impl IntoIterator<Item = &'s str>) -> Names {
        let mut n = Names::default();
        for s in it {
            n.push(s);
        }
        n
    }

    /// Append a string; returns its id.
    pub(crate) fn push(&mut self, s: &str) -> u32 {
        self.data.push_str(s);
        self.ends.push(self.data.len());
        (self.ends.len() - 1) as u32
    }

    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The string with this id (empty for an unknown id).
    pub(crate) fn get(&self, id: u32) -> &str {
        let i = id as usize;
        let Some(end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.data.get(start..*end).unwrap_or("")
    }

    /// The id of `s` in a sorted dictionary.
    pub(crate) fn find_sorted(&self, s: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0usize, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid as u32).cmp(s) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid as u32),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = Names::from_strs(["", "a", "z", "内科"]);
        assert_eq!(n.len(), 4);
        assert_eq!(n.get(3), "内科");
        assert_eq!(n.get(0), "");
        assert_eq!(n.get(9), "");
        assert_eq!(n.find_sorted("z"), Some(2));
        assert_eq!(n.find_sorted("内科"), Some(3));
        assert_eq!(n.find_sorted(""), Some(0));
        assert_eq!(n.find_sorted("b"), None);
    }
}
