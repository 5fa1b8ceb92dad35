//! Built-in rulebooks and their sample hospitals, embedded in the library as data files.

use super::compile::Rulebook;
use super::error::RulebookError;
use super::load::Format;

/// A built-in rulebook.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Name used by [`Rulebook::builtin`].
    pub name: &'static str,
    /// The rulebook file (TOML).
    pub text: &'static str,
    /// Sample hospitals: (name, evidence TOML). The first is the default.
    pub samples: &'static [(&'static str, &'static str)],
}

/// The built-in rulebooks; the first is the default.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "demo",
        text: include_str!("../../rulebooks/demo.toml"),
        samples: &[
            (
                "sample",
                include_str!("../../rulebooks/samples/demo-sample.toml"),
            ),
            (
                "grade-b",
                include_str!("../../rulebooks/samples/demo-grade-b.toml"),
            ),
            (
                "downgraded",
                include_str!("../../rulebooks/samples/demo-downgraded.toml"),
            ),
            (
                "deferred",
                include_str!("../../rulebooks/samples/demo-deferred.toml"),
            ),
        ],
    },
    Builtin {
        name: "cn-tertiary-2022",
        text: include_str!("../../rulebooks/cn-tertiary-2022.toml"),
        samples: &[
            (
                "grade-a",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-grade-a.toml"),
            ),
            (
                "grade-b",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-grade-b.toml"),
            ),
            (
                "grade-c",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-grade-c.toml"),
            ),
            (
                "deferred",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-deferred.toml"),
            ),
            (
                "not-eligible",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-not-eligible.toml"),
            ),
        ],
    },
    Builtin {
        name: "cn-province-example",
        text: include_str!("../../rulebooks/cn-province-example.toml"),
        // The national samples, scored under the province's rules.
        samples: &[
            (
                "grade-a",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-grade-a.toml"),
            ),
            (
                "grade-b",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-grade-b.toml"),
            ),
            (
                "grade-c",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-grade-c.toml"),
            ),
            (
                "deferred",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-deferred.toml"),
            ),
            (
                "not-eligible",
                include_str!("../../rulebooks/samples/cn-tertiary-2022-not-eligible.toml"),
            ),
        ],
    },
    Builtin {
        name: "cn-2011",
        text: include_str!("../../rulebooks/cn-2011.toml"),
        samples: &[
            (
                "grade-a",
                include_str!("../../rulebooks/samples/cn-2011-grade-a.toml"),
            ),
            (
                "grade-b",
                include_str!("../../rulebooks/samples/cn-2011-grade-b.toml"),
            ),
            (
                "below-b",
                include_str!("../../rulebooks/samples/cn-2011-below-b.toml"),
            ),
            (
                "failed-gate",
                include_str!("../../rulebooks/samples/cn-2011-failed-gate.toml"),
            ),
        ],
    },
    Builtin {
        name: "jci-8th",
        text: include_str!("../../rulebooks/jci-8th.toml"),
        samples: &[
            (
                "accredited",
                include_str!("../../rulebooks/samples/jci-8th-accredited.toml"),
            ),
            (
                "follow-up",
                include_str!("../../rulebooks/samples/jci-8th-follow-up.toml"),
            ),
            (
                "standard-below-5",
                include_str!("../../rulebooks/samples/jci-8th-standard-below-5.toml"),
            ),
            (
                "chapter-below-8",
                include_str!("../../rulebooks/samples/jci-8th-chapter-below-8.toml"),
            ),
            (
                "overall-below-9",
                include_str!("../../rulebooks/samples/jci-8th-overall-below-9.toml"),
            ),
            (
                "preliminary-denial",
                include_str!("../../rulebooks/samples/jci-8th-preliminary-denial.toml"),
            ),
        ],
    },
];

/// The default built-in rulebook's name.
pub fn default_name() -> &'static str {
    BUILTINS[0].name
}

/// A built-in rulebook by name.
pub fn find(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

impl Rulebook {
    /// A built-in rulebook by name (see [`Rulebook::builtin_names`]).
    pub fn builtin(name: &str) -> Result<Rulebook, RulebookError> {
        let b = find(name).ok_or_else(|| {
            RulebookError::single(
                Some(name.to_string()),
                "",
                None,
                format!(
                    "no built-in rulebook named {name:?} (built-in: {})",
                    Rulebook::builtin_names().join(", ")
                ),
            )
        })?;
        Rulebook::parse_from(
            b.text,
            Format::Toml,
            Some(&format!("builtin:{}", b.name)),
            &super::layer::Origin::Builtin(b.name.to_string()),
        )
    }

    /// Names of the built-in rulebooks; the first is the default.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTINS.iter().map(|b| b.name).collect()
    }
}

impl crate::Evidence {
    /// A sample hospital bundled with a built-in rulebook (`None`: its default sample).
    pub fn sample(
        rulebook: &str,
        name: Option<&str>,
    ) -> Result<crate::Evidence, crate::EvidenceError> {
        let b = find(rulebook).ok_or_else(|| {
            crate::EvidenceError::single(None, format!("no built-in rulebook named {rulebook:?}"))
        })?;
        let (_, text) = match name {
            None => b.samples.first(),
            Some(n) => b.samples.iter().find(|(s, _)| *s == n),
        }
        .ok_or_else(|| {
            crate::EvidenceError::single(
                None,
                format!(
                    "rulebook {rulebook:?} has no sample {:?} (samples: {})",
                    name.unwrap_or(""),
                    b.samples.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
                ),
            )
        })?;
        crate::Evidence::from_toml(text)
    }
}
