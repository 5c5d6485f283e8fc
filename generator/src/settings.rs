//! [`Settings`]: what the caller (xtask) decides about the crate to
//! generate. Lowering reads its [`LowerSettings`]; emitting, copying and the
//! manifest read the rest.

use crate::lower::LowerSettings;

/// What to generate. Lowering reads only [`Settings::lower`]; the rest
/// shapes the emitted and copied files.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The spec's path as shown in the "do not edit" header
    /// (`spec/sailpoint-v2025.yaml`).
    pub spec_path: String,
    /// The generated package's name (`sailpoint-v2025`).
    pub crate_name: String,
    /// Which operations to lower, and how strictly.
    pub lower: LowerSettings,
    /// Copy the SDK's own tests, examples and benches from the templates
    /// (they exercise the SailPoint operations, so only for our spec).
    pub sdk_extras: bool,
    /// Make the crate its own workspace (for output outside this one).
    pub standalone: bool,
    /// The package's `description` in `Cargo.toml`; `None` keeps the
    /// template's.
    pub description: Option<String>,
    /// One Cargo feature per tag module, all in `default`, with every tag
    /// module, model and test-kit item gated on the tags that reach it (issue
    /// 13 part 4). On by default; our two crates turn it off (see
    /// ARCHITECTURE.md, "Per-tag features").
    pub tag_features: bool,
}

impl Settings {
    /// Settings for our checked-in SDK.
    pub fn new(spec_path: impl Into<String>) -> Self {
        Settings {
            spec_path: spec_path.into(),
            crate_name: "sailpoint-v2025".to_string(),
            lower: LowerSettings::default(),
            sdk_extras: true,
            standalone: false,
            description: None,
            tag_features: true,
        }
    }
}
