//! The crates we check in ([`OURS`]): which spec, where, under which name,
//! and which changelog. `codegen`, `check` and `changelog` read this table;
//! it imports none of them.

/// One crate's changelog: every change from `released` to `current` needs
/// an entry under `## Unreleased` in `changelog` (copied into the crate by
/// `codegen`).
pub struct Log {
    /// The spec of the last release.
    pub released: &'static str,
    /// The current spec.
    pub current: &'static str,
    /// The changelog.
    pub changelog: &'static str,
}

pub const DEFAULT_SPEC: &str = "spec/sailpoint-v2025.yaml";
pub const DEFAULT_OUT: &str = "generated/sailpoint-v2025";

/// One of the crates we check in: which spec, where, under which name.
pub struct OurCrate {
    /// The package name; `templates/crates/{name}/` is its overlay.
    pub name: &'static str,
    pub spec: &'static str,
    pub out: &'static str,
    /// The package description; `None` keeps `templates/Cargo.toml`'s.
    pub description: Option<&'static str>,
    /// The changelog and the spec of the last release it is checked against.
    pub changelog: Log,
    /// The spec whose users this crate's `MIGRATING.md` is for (the report of
    /// `cargo xtask diff FROM SPEC --migration`).
    pub migrates_from: Option<&'static str>,
    /// Per-tag Cargo features (`Settings::tag_features`). Off for both: with
    /// two or three tags they would save nothing and put a `cfg` on every
    /// model item.
    pub tag_features: bool,
    /// The binary of the command-line tool generated beside it (in
    /// `{out}-cli`), if it gets one.
    pub cli_bin: Option<&'static str>,
}

/// The crates `cargo xtask codegen` (no arguments) writes and `check` guards.
/// Both are strict: our own specs generate with zero warnings.
pub const OURS: &[OurCrate] = &[
    OurCrate {
        name: "sailpoint-v2025",
        spec: DEFAULT_SPEC,
        out: DEFAULT_OUT,
        description: None,
        changelog: Log {
            released: "spec/released/sailpoint-v2025.yaml",
            current: DEFAULT_SPEC,
            changelog: "spec/CHANGELOG.md",
        },
        migrates_from: None,
        tag_features: false,
        // Every SDK gets its tool; this one is named for its API version.
        cli_bin: Some("isc-v2025"),
    },
    OurCrate {
        name: "sailpoint-isc",
        spec: "spec/sailpoint-isc.yaml",
        out: "generated/sailpoint-isc",
        description: Some(
            "Rust SDK for SailPoint Identity Security Cloud's per-service API (generated)",
        ),
        changelog: Log {
            released: "spec/released/sailpoint-isc.yaml",
            current: "spec/sailpoint-isc.yaml",
            changelog: "spec/CHANGELOG-isc.md",
        },
        migrates_from: Some(DEFAULT_SPEC),
        tag_features: false,
        cli_bin: Some("isc"),
    },
];

/// Our crate generated from `spec`, if it is one of ours.
pub fn ours(spec: &str) -> Option<&'static OurCrate> {
    OURS.iter().find(|c| c.spec == spec)
}
