//! What a crate contains beyond its operations and types, decided from the
//! spec alone (never from the crate's name): which hand-written support
//! modules are copied, and which vendor behaviour is switched on.
//!
//! - `src/patch.rs` (JSON Patch) only when a request body is
//!   `application/json-patch+json`;
//! - `src/filter.rs` (typed filters and sorters) only when an operation has
//!   filters or sorters (`x-sdk-filterable`/`x-sdk-sortable`, or SailPoint's
//!   prose convention);
//! - the SailPoint front page (`templates/lib.md`) only when the document
//!   sets the top-level vendor extension `x-sdk-sailpoint: true`; any other
//!   spec gets a front page written from its own `info` and `servers`.
//!
//! Inside a copied template, a region between a line `// @sdk if COND` and
//! a line `// @sdk end` (optionally split by `// @sdk else`) is kept only
//! when COND holds ([`Features::select`]), so that a crate has no runtime
//! code its operations never call (no unused code, no blanket `allow`s) and
//! SailPoint's conventions (`SAIL_*` variables, `config.json`, the `sail`
//! CLI's `~/.sailpoint`) only where the spec asks for them. The marker
//! lines themselves never reach the crate. COND is one of the fields of
//! [`Features`] (`sailpoint`, `paging`, `path_params`, `json_errors`, ...),
//! or one prefixed with `!`.

use crate::ir::{Api, ParamLocation, ResponseBody, TypeKind, TypeRef};

/// The top-level extension that switches on SailPoint's conventions (the
/// front page with `SAIL_*` variables and `config.json`).
pub const SAILPOINT_EXTENSION: &str = "x-sdk-sailpoint";

/// The optional parts of a crate, as its spec asks for them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Features {
    /// Some request body is a JSON Patch document.
    pub json_patch: bool,
    /// Some operation has typed filters or sorters.
    pub filters: bool,
    /// Some operation pages by offset (`runtime::paginate_with`).
    pub paging: bool,
    /// Some operation pages by cursor (`runtime::paginate_cursor`).
    pub cursor_paging: bool,
    /// Some operation answers `207` per item (`MultiStatus`).
    pub multi_status: bool,
    /// The spec opts into SailPoint's conventions ([`SAILPOINT_EXTENSION`]).
    pub sailpoint: bool,
    /// Some operation has a path parameter (`encode_path_segment`).
    pub path_params: bool,
    /// Some error response has a JSON body (`RawResponse::error_json`).
    pub json_errors: bool,
    /// Some operation is experimental (sends `meta::EXPERIMENTAL_HEADER`).
    pub experimental: bool,
    /// Some model is a struct (its serde impls call `runtime::de`).
    pub structs: bool,
    /// Some struct declares a field (`runtime::de::{index, field}`).
    pub struct_fields: bool,
    /// Some struct has a required field (`runtime::de::required`).
    pub required_fields: bool,
    /// Some struct keeps its undeclared properties (`Key::into_string`).
    pub additional_properties: bool,
    /// Some struct ignores its undeclared properties (`runtime::de::next_field`).
    pub closed_structs: bool,
    /// Some such struct declares a field (`runtime::de::read_fields`).
    pub closed_struct_fields: bool,
    /// Some struct that keeps undeclared properties declares a field
    /// (`runtime::de::index`).
    pub open_struct_fields: bool,
}

impl Features {
    /// Reads the features off the lowered API (which has read the
    /// document's top-level extensions).
    pub fn of(api: &Api) -> Features {
        let ops = || api.tags.iter().flat_map(|t| &t.operations);
        let structs = || {
            api.types.values().filter_map(|t| match &t.kind {
                TypeKind::Struct(s) => Some(s),
                _ => None,
            })
        };
        Features {
            json_patch: ops().any(|op| op.body.as_ref().is_some_and(|b| mentions_patch(&b.ty))),
            filters: ops().any(|op| op.filters.is_some() || op.sorters.is_some()),
            paging: ops().any(|op| op.pagination.as_ref().is_some_and(|p| p.offset().is_some())),
            cursor_paging: ops()
                .any(|op| op.pagination.as_ref().is_some_and(|p| p.cursor().is_some())),
            multi_status: ops().any(|op| op.responses.iter().any(|r| r.multi_status.is_some())),
            path_params: ops()
                .any(|op| op.params.iter().any(|p| p.location == ParamLocation::Path)),
            json_errors: ops().any(|op| {
                op.responses
                    .iter()
                    .any(|r| !r.status.is_success() && matches!(r.body, ResponseBody::Json { .. }))
            }),
            experimental: ops().any(|op| op.experimental),
            structs: structs().next().is_some(),
            struct_fields: structs().any(|s| !s.fields.is_empty()),
            required_fields: structs().any(|s| s.fields.iter().any(|f| !f.is_option())),
            additional_properties: structs().any(|s| s.additional.is_some()),
            closed_structs: structs().any(|s| s.additional.is_none()),
            closed_struct_fields: structs().any(|s| s.additional.is_none() && !s.fields.is_empty()),
            open_struct_fields: structs().any(|s| s.additional.is_some() && !s.fields.is_empty()),
            sailpoint: api.sailpoint,
        }
    }

    /// Whether the template at `path` (relative to `templates/`) belongs in
    /// a crate with these features. Templates no feature governs are kept.
    pub fn wants_template(&self, path: &str) -> bool {
        match path {
            "src/patch.rs" => self.json_patch,
            "src/filter.rs" => self.filters,
            "src/runtime/multi_status.rs" => self.multi_status,
            "lib.md" | "src/runtime/config.rs" => self.sailpoint,
            "src/runtime/de.rs" | "src/runtime/ser.rs" => self.structs,
            _ => true,
        }
    }
}

impl Features {
    /// The value of a condition of a template region, by field name.
    fn condition(&self, name: &str) -> Option<bool> {
        Some(match name {
            "json_patch" => self.json_patch,
            "filters" => self.filters,
            "paging" => self.paging,
            "cursor_paging" => self.cursor_paging,
            "multi_status" => self.multi_status,
            "sailpoint" => self.sailpoint,
            "path_params" => self.path_params,
            "json_errors" => self.json_errors,
            "experimental" => self.experimental,
            "structs" => self.structs,
            "struct_fields" => self.struct_fields,
            "required_fields" => self.required_fields,
            "additional_properties" => self.additional_properties,
            "closed_structs" => self.closed_structs,
            "closed_struct_fields" => self.closed_struct_fields,
            "open_struct_fields" => self.open_struct_fields,
            _ => return None,
        })
    }

    /// `text` without the regions whose condition does not hold, and
    /// without any marker line (see the module docs). `Err` says what is
    /// wrong with the markers (an unknown condition, an unbalanced region),
    /// with the line number.
    pub fn select(&self, text: &str) -> Result<String, String> {
        // One entry per open region: whether its current branch is kept.
        let mut open: Vec<(bool, bool)> = Vec::new();
        let mut out = String::with_capacity(text.len());
        for (n, line) in text.split_inclusive('\n').enumerate() {
            let Some(marker) = line.trim().strip_prefix("// @sdk ") else {
                if open.iter().all(|&(_, keep)| keep) {
                    out.push_str(line);
                }
                continue;
            };
            let at = n + 1;
            match marker.trim().split_once(' ') {
                Some(("if", cond)) => {
                    let (negated, name) = match cond.trim().strip_prefix('!') {
                        Some(name) => (true, name),
                        None => (false, cond.trim()),
                    };
                    let value = self
                        .condition(name)
                        .ok_or_else(|| format!("line {at}: unknown condition `{name}`"))?;
                    open.push((value != negated, value != negated));
                }
                None if marker.trim() == "else" => {
                    let (cond, keep) = open
                        .last_mut()
                        .ok_or_else(|| format!("line {at}: `@sdk else` outside a region"))?;
                    *keep = !*cond;
                }
                None if marker.trim() == "end" => {
                    open.pop()
                        .ok_or_else(|| format!("line {at}: `@sdk end` outside a region"))?;
                }
                _ => return Err(format!("line {at}: unknown marker `{}`", marker.trim())),
            }
        }
        if !open.is_empty() {
            return Err(format!(
                "{} region(s) not closed by `// @sdk end`",
                open.len()
            ));
        }
        Ok(out)
    }
}

fn mentions_patch(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::JsonPatch => true,
        TypeRef::Vec(inner) | TypeRef::Map(inner) => mentions_patch(inner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(yaml: &str) -> Features {
        let (spec, _) = crate::parse(yaml).expect("parses");
        let api = crate::lower(&spec, &Default::default())
            .expect("lowers")
            .api;
        Features::of(&api)
    }

    const PLAIN: &str = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\npaths:\n  /pets/{id}:\n    get:\n      operationId: getPet\n      tags: [pets]\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'200': {description: ok, content: {application/json: {schema: {type: object}}}}}\n";

    #[test]
    fn a_plain_spec_gets_no_optional_module_and_no_vendor_front_page() {
        let f = features(PLAIN);
        assert!(!f.json_patch && !f.filters && !f.paging && !f.sailpoint && !f.json_errors);
        assert!(f.path_params);
        for path in ["src/patch.rs", "src/filter.rs", "lib.md"] {
            assert!(!f.wants_template(path), "{path}");
        }
        assert!(f.wants_template("src/runtime/client.rs"));
    }

    #[test]
    fn template_regions_are_kept_by_their_condition_and_markers_never() {
        let f = Features {
            paging: true,
            ..Features::default()
        };
        let text = "a\n// @sdk if paging\nb\n    // @sdk if sailpoint\nc\n    // @sdk else\nd\n    // @sdk end\n// @sdk end\n// @sdk if !paging\ne\n// @sdk end\nf\n";
        assert_eq!(f.select(text).unwrap(), "a\nb\nd\nf\n");
        let on = Features {
            paging: true,
            sailpoint: true,
            ..Features::default()
        };
        assert_eq!(on.select(text).unwrap(), "a\nb\nc\nf\n");
        assert_eq!(Features::default().select(text).unwrap(), "a\ne\nf\n");
        // Mistakes in the markers are errors with a line number.
        for (bad, message) in [
            (
                "// @sdk if nothing\n// @sdk end\n",
                "line 1: unknown condition `nothing`",
            ),
            (
                "// @sdk if paging\n",
                "1 region(s) not closed by `// @sdk end`",
            ),
            ("x\n// @sdk end\n", "line 2: `@sdk end` outside a region"),
            ("// @sdk fi\n", "line 1: unknown marker `fi`"),
        ] {
            assert_eq!(f.select(bad).unwrap_err(), message, "{bad}");
        }
    }

    #[test]
    fn the_vendor_extension_switches_on_sailpoint() {
        let f = features(&PLAIN.replace("paths:", "x-sdk-sailpoint: true\npaths:"));
        assert!(f.sailpoint && f.wants_template("lib.md"));
        let off = features(&PLAIN.replace("paths:", "x-sdk-sailpoint: false\npaths:"));
        assert!(!off.sailpoint);
    }

    #[test]
    fn the_experimental_header_is_the_specs_own_or_none() {
        let experimental = PLAIN.replace(
            "      operationId: getPet\n",
            "      operationId: getPet\n      x-sdk-experimental: true\n",
        );
        let generate = |yaml: &str| {
            let (spec, _) = crate::parse(yaml).expect("parses");
            crate::generate(&spec, &crate::Settings::new("pets.yaml"), &[])
        };
        let file = |out: &crate::Output, path: &str| {
            out.files
                .iter()
                .find(|f| f.path == path)
                .map(|f| f.contents.clone())
                .unwrap_or_default()
        };
        // A foreign spec that names no header: the operation is gated, sends
        // no header, and its docs say nothing of SailPoint.
        let out = generate(&experimental).expect("generates");
        assert!(file(&out, "src/meta.rs").contains("pub const EXPERIMENTAL_HEADER: &str = \"\";"));
        let pets = file(&out, "src/pets.rs");
        assert!(
            pets.contains("**Experimental:** the client must opt in"),
            "{pets}"
        );
        assert!(
            !pets.contains("SAIL_") && !pets.contains("SailPoint"),
            "{pets}"
        );
        // SailPoint's conventions bring SailPoint's header and variable.
        let out = generate(&experimental.replace("paths:", "x-sdk-sailpoint: true\npaths:"))
            .expect("generates");
        assert!(file(&out, "src/meta.rs")
            .contains("pub const EXPERIMENTAL_HEADER: &str = \"X-SailPoint-Experimental\";"));
        assert!(file(&out, "src/pets.rs").contains("`SAIL_EXPERIMENTAL=true`"));
        // A spec names its own header.
        let out = generate(
            &experimental.replace("paths:", "x-sdk-experimental-header: X-Beta-Opt-In\npaths:"),
        )
        .expect("generates");
        assert!(file(&out, "src/meta.rs")
            .contains("pub const EXPERIMENTAL_HEADER: &str = \"X-Beta-Opt-In\";"));
        assert!(file(&out, "src/pets.rs").contains("send `X-Beta-Opt-In: true`"));
        // No experimental operation: no header, whatever the spec names.
        let out = generate(&PLAIN.replace("paths:", "x-sdk-experimental-header: X-Beta\npaths:"))
            .expect("generates");
        assert!(file(&out, "src/meta.rs").contains("pub const EXPERIMENTAL_HEADER: &str = \"\";"));
        // Not a header name: an error at the extension.
        let Err(err) = generate(&experimental.replace(
            "paths:",
            "x-sdk-experimental-header: 'not a header'\npaths:",
        )) else {
            panic!("an invalid header name is an error");
        };
        assert!(
            err.to_string().contains("#/x-sdk-experimental-header"),
            "{err}"
        );
    }

    #[test]
    fn a_json_patch_body_brings_the_patch_module() {
        let spec = format!(
            "{PLAIN}    patch:\n      operationId: patchPet\n      tags: [pets]\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      requestBody: {{required: true, content: {{application/json-patch+json: {{schema: {{type: array, items: {{type: object}}}}}}}}}}\n      responses: {{'204': {{description: done}}}}\n"
        );
        let f = features(&spec);
        assert!(f.json_patch, "{spec}");
        assert!(f.wants_template("src/patch.rs") && !f.filters);
    }

    #[test]
    fn our_specs_ask_for_every_feature() {
        for path in ["../spec/sailpoint-v2025.yaml", "../spec/sailpoint-isc.yaml"] {
            let text = std::fs::read_to_string(path).expect("our spec");
            let f = features(&text);
            assert!(
                f.json_patch
                    && f.filters
                    && f.paging
                    && f.sailpoint
                    && f.path_params
                    && f.json_errors
                    && f.experimental,
                "{path}: {f:?}"
            );
        }
    }

    fn token_url(servers: &str, schemes: &str) -> String {
        let yaml =
            format!("{PLAIN}servers: {servers}\ncomponents:\n  securitySchemes: {schemes}\n");
        let (spec, _) = crate::parse(&yaml).expect("parses");
        let api = crate::lower(&spec, &Default::default())
            .expect("lowers")
            .api;
        crate::emit::token_url(&api)
    }

    #[test]
    fn the_token_endpoint_comes_from_the_client_credentials_flow() {
        let tenant =
            "[{url: 'https://{tenant}.api.example.com/v3', variables: {tenant: {default: acme}}}]";
        let cc = |url: &str| {
            format!("{{oauth: {{type: oauth2, flows: {{clientCredentials: {{tokenUrl: '{url}', scopes: {{}}}}}}}}}}")
        };
        // The tenant's host: a path on the client's origin.
        assert_eq!(
            token_url(
                tenant,
                &cc("https://example-tenant.api.example.com/oauth/token")
            ),
            "/oauth/token"
        );
        assert_eq!(token_url(tenant, &cc("/oauth/token")), "/oauth/token");
        // Another host stays absolute.
        assert_eq!(
            token_url(tenant, &cc("https://accounts.example.org/api/token")),
            "https://accounts.example.org/api/token"
        );
        // No client-credentials flow (bearer only, or another flow): none.
        assert_eq!(
            token_url(tenant, "{bearer: {type: http, scheme: bearer}}"),
            ""
        );
        assert_eq!(
            token_url(tenant, "{oauth: {type: oauth2, flows: {implicit: {authorizationUrl: 'https://a.example.org/auth', scopes: {}}}}}"),
            ""
        );
    }
}
