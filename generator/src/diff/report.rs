//! The report model (`Report`, `Change`, `Severity`, `Kind`, the suggested
//! version bump) and its Markdown rendering.

use serde::Serialize;
use std::fmt::Write as _;

/// How much a change breaks, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Code using the old generated crate breaks.
    BreakingSdk,
    /// Clients of the old spec fail against the new server.
    BreakingWire,
    /// Neither; the generated code changes.
    Compatible,
    /// Only prose changed.
    DocsOnly,
}

impl Severity {
    /// The kebab-case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::BreakingSdk => "breaking-sdk",
            Severity::BreakingWire => "breaking-wire",
            Severity::Compatible => "compatible",
            Severity::DocsOnly => "docs-only",
        }
    }

    /// Whether the class is a breaking one.
    pub fn is_breaking(self) -> bool {
        matches!(self, Severity::BreakingSdk | Severity::BreakingWire)
    }

    const ALL: [Severity; 4] = [
        Severity::BreakingSdk,
        Severity::BreakingWire,
        Severity::Compatible,
        Severity::DocsOnly,
    ];
}

/// What changed, for machines (the JSON `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[allow(missing_docs)]
pub enum Kind {
    ApiDocsChanged,
    ServerChanged,
    SecuritySchemeAdded,
    SecuritySchemeRemoved,
    SecuritySchemeChanged,
    TagDocsChanged,
    WaiterAdded,
    WaiterRemoved,
    WaiterChanged,
    OperationAdded,
    OperationRemoved,
    OperationRenamed,
    OperationMoved,
    MethodChanged,
    PathChanged,
    ExperimentalChanged,
    DeprecatedChanged,
    OperationDocsChanged,
    ParameterAdded,
    ParameterRemoved,
    ParameterRenamed,
    ParameterRequiredChanged,
    ParameterTypeChanged,
    ParameterDefaultChanged,
    ParameterLimitsChanged,
    ParameterStyleChanged,
    ParameterDocsChanged,
    RequestBodyAdded,
    RequestBodyRemoved,
    RequestBodyRequiredChanged,
    RequestMediaTypeChanged,
    RequestSchemaReplaced,
    RequestBodyDocsChanged,
    StatusAdded,
    StatusRemoved,
    ResponseMediaTypeChanged,
    ResponseSchemaReplaced,
    ResponseHeadersChanged,
    ResponseDocsChanged,
    SecurityChanged,
    PaginationChanged,
    MultiStatusChanged,
    FiltersChanged,
    SortersChanged,
    TypeAdded,
    TypeRemoved,
    TypeRenamed,
    TypeKindChanged,
    TypeDocsChanged,
    FieldAdded,
    FieldRemoved,
    FieldRenamed,
    FieldTypeChanged,
    FieldRequiredChanged,
    FieldNullableChanged,
    FieldReadOnlyChanged,
    FieldWriteOnlyChanged,
    FieldDefaultChanged,
    FieldDocsChanged,
    AdditionalPropertiesChanged,
    EnumValueAdded,
    EnumValueRemoved,
    EnumVariantRenamed,
    UnionVariantAdded,
    UnionVariantRemoved,
    UnionVariantChanged,
    DiscriminatorChanged,
    AliasChanged,
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Every class that applies, most severe first (never empty).
    pub severity: Vec<Severity>,
    /// What changed.
    pub kind: Kind,
    /// JSON pointer of the node (in the new spec, or the old one when removed).
    pub pointer: String,
    /// One Markdown sentence naming the node with both spellings.
    pub message: String,
    /// Supporting facts, such as how two replaced schemas differ on the wire.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl Change {
    /// The most severe class.
    pub fn primary(&self) -> Severity {
        self.severity
            .first()
            .copied()
            .unwrap_or(Severity::Compatible)
    }
}

/// One side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Side {
    /// What the caller compared (a path or `git:REV`).
    pub label: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
}

/// Changes counted by class. A change that is both `breaking-sdk` and
/// `breaking-wire` counts under both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Changes that break SDK users.
    pub breaking_sdk: usize,
    /// Changes that break old clients on the wire.
    pub breaking_wire: usize,
    /// Compatible changes.
    pub compatible: usize,
    /// Prose-only changes.
    pub docs_only: usize,
    /// Distinct changes.
    pub total: usize,
}

/// A semver bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bump {
    /// Nothing changed.
    None,
    /// `z` in `x.y.z`.
    Patch,
    /// `y` in `x.y.z`.
    Minor,
    /// `x` in `x.y.z`.
    Major,
}

impl Bump {
    fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }

    /// Applies the bump to `x.y.z` (ignoring any pre-release suffix).
    pub fn apply(self, version: &str) -> Option<String> {
        let core = version.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let (x, y, z) = (parts.next()??, parts.next()??, parts.next()??);
        Some(match self {
            Bump::None => format!("{x}.{y}.{z}"),
            Bump::Patch => format!("{x}.{y}.{}", z + 1),
            Bump::Minor => format!("{x}.{}.0", y + 1),
            Bump::Major => format!("{}.0.0", x + 1),
        })
    }
}

/// The suggested version bump of the generated crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Semver {
    /// The crate's current version, when the caller knows it.
    pub current: Option<String>,
    /// The bump under the 0.y.z rule (breaking -> minor, else patch).
    pub bump: Bump,
    /// The next version, when `current` is known.
    pub next: Option<String>,
    /// What the bump would be after 1.0 (breaking -> major, compatible ->
    /// minor, docs-only -> patch).
    pub post_1_0: Bump,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The old side.
    pub old: Side,
    /// The new side.
    pub new: Side,
    /// Counts by class.
    pub summary: Counts,
    /// Every change, ordered by most severe class, then in discovery order
    /// (API, operations in IR order, then types by name).
    pub changes: Vec<Change>,
    /// The suggested bump of the generated crate.
    pub semver: Semver,
}

/// The crate whose version the report suggests.
const CRATE: &str = "sailpoint-v2025";

impl Report {
    /// Whether anything breaks (SDK or wire).
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.primary().is_breaking())
    }

    /// Sets the labels shown for the two sides.
    pub fn with_labels(mut self, old: impl Into<String>, new: impl Into<String>) -> Self {
        self.old.label = old.into();
        self.new.label = new.into();
        self
    }

    /// Sets the crate's current version, so the report names the next one.
    pub fn with_crate_version(mut self, version: impl Into<String>) -> Self {
        let v = version.into();
        self.semver.next = self.semver.bump.apply(&v);
        self.semver.current = Some(v);
        self
    }

    /// The report as Markdown, for a code review.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## API changes: `{}` → `{}`\n",
            self.old.label, self.new.label
        );
        if self.old.version != self.new.version {
            let _ = writeln!(
                out,
                "Spec version: `{}` → `{}`.\n",
                self.old.version, self.new.version
            );
        }
        let s = &self.summary;
        if s.total == 0 {
            out.push_str("**Summary:** no API changes.\n");
        } else {
            let _ = writeln!(
                out,
                "**Summary:** {} breaking-sdk, {} breaking-wire, {} compatible, {} docs-only ({} {}{}).",
                s.breaking_sdk,
                s.breaking_wire,
                s.compatible,
                s.docs_only,
                s.total,
                if s.total == 1 { "change" } else { "changes" },
                if self.changes.iter().any(|c| c.severity.len() > 1) {
                    "; a change that breaks both ways counts under both"
                } else {
                    ""
                },
            );
        }
        for sev in Severity::ALL {
            let items: Vec<&Change> = self.changes.iter().filter(|c| c.primary() == sev).collect();
            if items.is_empty() {
                continue;
            }
            let title = match sev {
                Severity::BreakingSdk => "Breaking for SDK users",
                Severity::BreakingWire => "Breaking on the wire",
                Severity::Compatible => "Compatible",
                Severity::DocsOnly => "Docs only",
            };
            let _ = writeln!(out, "\n### {title} (`{}`)\n", sev.as_str());
            for c in items {
                let _ = write!(out, "- {} `{}`", c.message, c.pointer);
                let also: Vec<&str> = c.severity[1..].iter().map(|s| s.as_str()).collect();
                if !also.is_empty() {
                    let _ = write!(out, " _(also {})_", also.join(", "));
                }
                out.push('\n');
                for d in &c.details {
                    let _ = writeln!(out, "  - {d}");
                }
            }
        }
        let sv = &self.semver;
        let _ = writeln!(out, "\n### Suggested version bump\n");
        let _ = write!(
            out,
            "`{CRATE}` is 0.y.z: a breaking change (SDK or wire) bumps the minor version, any other change the patch version. Suggested: **{}**",
            sv.bump.as_str()
        );
        match (&sv.current, &sv.next) {
            (Some(c), Some(n)) if sv.bump != Bump::None => {
                let _ = write!(out, " ({c} → {n})");
            }
            _ => {}
        }
        out.push_str(".\n");
        let _ = writeln!(
            out,
            "After 1.0 (breaking → major, compatible → minor, docs-only → patch) it would be **{}**.",
            sv.post_1_0.as_str()
        );
        out
    }
}
