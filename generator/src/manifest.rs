//! The generated crate's `Cargo.toml`: the template's manifest edited as a
//! TOML document (`toml_edit`), never as lines.

use crate::diag::{Diagnostic, Errors};
use crate::settings::Settings;

/// The template's `Cargo.toml`, edited as a document rather than as lines,
/// so that comments and layout survive and no literal package name is
/// matched: the package gets `crate_name`; without the extras the bench,
/// example and test targets go; a standalone crate becomes its own
/// workspace and so has no workspace lints to inherit. Each tag module gets
/// a feature of its name, all in `default`. The template's
/// `[package.metadata.sdk]` table is read, never copied: its
/// `sailpoint-only` dependencies, and every feature that enables one of
/// them, go (with their comments) unless the spec is SailPoint's
/// (`sailpoint`).
pub(crate) fn cargo_toml(
    template: &str,
    settings: &Settings,
    exists: &dyn Fn(&str) -> bool,
    tag_features: &[&str],
    sailpoint: bool,
) -> Result<String, Errors> {
    let internal = |message: String| {
        Errors(vec![Diagnostic::error(
            "#",
            format!("internal error: templates/Cargo.toml: {message}"),
        )])
    };
    let mut doc: toml_edit::DocumentMut = template
        .parse()
        .map_err(|e: toml_edit::TomlError| internal(e.to_string()))?;
    let name = doc
        .get_mut("package")
        .and_then(|p| p.get_mut("name"))
        .and_then(|n| n.as_value_mut())
        .ok_or_else(|| internal("no `package.name`".into()))?;
    let decor = name.decor().clone();
    *name = toml_edit::Value::from(settings.crate_name.as_str());
    *name.decor_mut() = decor;
    if let Some(description) = &settings.description {
        let value = doc
            .get_mut("package")
            .and_then(|p| p.get_mut("description"))
            .and_then(|n| n.as_value_mut())
            .ok_or_else(|| internal("no `package.description`".into()))?;
        let decor = value.decor().clone();
        *value = toml_edit::Value::from(description.as_str());
        *value.decor_mut() = decor;
    }
    let sailpoint_only: Vec<String> = doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("sdk"))
        .and_then(|s| s.get("sailpoint-only"))
        .and_then(|v| v.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if let Some(metadata) = doc
        .get_mut("package")
        .and_then(|p| p.get_mut("metadata"))
        .and_then(|m| m.as_table_like_mut())
    {
        metadata.remove("sdk");
        if metadata.is_empty() {
            if let Some(package) = doc.get_mut("package").and_then(|p| p.as_table_like_mut()) {
                package.remove("metadata");
            }
        }
    }
    if !sailpoint {
        drop_dependencies(&mut doc, &sailpoint_only);
    }
    if !settings.sdk_extras {
        for targets in ["bench", "example", "test"] {
            doc.remove(targets);
        }
    }
    // A declared target whose file a crate's templates do not have (a
    // per-crate overlay without that test) is dropped, not left dangling.
    for (kind, dir) in [
        ("bench", "benches"),
        ("example", "examples"),
        ("test", "tests"),
    ] {
        if let Some(targets) = doc.get_mut(kind).and_then(|t| t.as_array_of_tables_mut()) {
            targets.retain(|t| {
                let default = t
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map(|n| format!("{dir}/{n}.rs"));
                match t
                    .get("path")
                    .and_then(|p| p.as_str())
                    .map(String::from)
                    .or(default)
                {
                    Some(path) => exists(&path),
                    None => true,
                }
            });
            if targets.is_empty() {
                doc.remove(kind);
            }
        }
    }
    if !tag_features.is_empty() && !doc.contains_key("features") {
        doc.insert("features", toml_edit::Item::Table(toml_edit::Table::new()));
    }
    if let (false, Some(features)) = (
        tag_features.is_empty(),
        doc.get_mut("features").and_then(|f| f.as_table_mut()),
    ) {
        let mut default = toml_edit::Array::new();
        for tag in tag_features {
            default.push(*tag);
        }
        let mut default = toml_edit::Item::Value(toml_edit::Value::Array(default));
        if let Some(d) = default.as_value_mut() {
            d.decor_mut().set_prefix(" ");
        }
        features.insert("default", default);
        if let Some(mut key) = features.key_mut("default") {
            key.leaf_decor_mut().set_prefix(
            "# One feature per tag module, all on by default: build only the tags\n# you use with `default-features = false, features = [...]`.\n",
        );
        }
        for tag in tag_features {
            features.insert(tag, toml_edit::value(toml_edit::Array::new()));
        }
    }
    if settings.standalone {
        doc.remove("lints");
        let mut workspace = toml_edit::Table::new();
        workspace.decor_mut().set_prefix("\n");
        doc.insert("workspace", toml_edit::Item::Table(workspace));
    }
    Ok(format!(
        "# @generated by `cargo xtask codegen` from templates/Cargo.toml; do not edit\n{doc}"
    ))
}

/// Removes the dependencies `names` from every dependency table, and every
/// feature that enables one of them (`dep:x`, `x/f`, `x?/f`, or `x` itself),
/// then every feature that enables a removed feature, so that no feature
/// names what is gone.
fn drop_dependencies(doc: &mut toml_edit::DocumentMut, names: &[String]) {
    if names.is_empty() {
        return;
    }
    for table in ["dependencies", "dev-dependencies", "build-dependencies"] {
        if let Some(deps) = doc.get_mut(table).and_then(|t| t.as_table_like_mut()) {
            for name in names {
                deps.remove(name);
            }
        }
    }
    let Some(features) = doc.get_mut("features").and_then(|f| f.as_table_like_mut()) else {
        return;
    };
    let mut gone: Vec<String> = names.to_vec();
    loop {
        let enables_gone = |entry: &str| {
            let target = entry.strip_prefix("dep:").unwrap_or(entry);
            let target = target.split('/').next().unwrap_or(target);
            let target = target.trim_end_matches('?');
            gone.iter().any(|g| g == target)
        };
        let doomed: Vec<String> = features
            .iter()
            .filter(|(name, value)| {
                gone.iter().any(|g| g == name)
                    || value
                        .as_array()
                        .is_some_and(|a| a.iter().any(|v| v.as_str().is_some_and(enables_gone)))
            })
            .map(|(name, _)| name.to_owned())
            .collect();
        if doomed.is_empty() {
            break;
        }
        for name in doomed {
            features.remove(&name);
            gone.push(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "[package]\nname = \"sailpoint-v2025\" # the package\n\n[lints]\nworkspace = true\n\n[dependencies]\nurl = \"2\"\n\n[[test]]\nname = \"contract\"\n\n[[bench]]\nname = \"sdk\"\n";

    #[test]
    fn cargo_toml_for_our_sdk_keeps_everything_but_the_header() {
        let text = cargo_toml(TEMPLATE, &Settings::new("spec.yaml"), &|_| true, &[], true).unwrap();
        assert_eq!(
            text,
            format!("# @generated by `cargo xtask codegen` from templates/Cargo.toml; do not edit\n{TEMPLATE}")
        );
    }

    #[test]
    fn cargo_toml_standalone_without_extras_is_its_own_workspace() {
        let mut settings = Settings::new("spec.yaml");
        settings.crate_name = "other-sdk".into();
        settings.sdk_extras = false;
        settings.standalone = true;
        let text = cargo_toml(TEMPLATE, &settings, &|_| true, &[], true).unwrap();
        let body = text.split_once('\n').unwrap().1;
        assert_eq!(
            body,
            "[package]\nname = \"other-sdk\" # the package\n\n[dependencies]\nurl = \"2\"\n\n[workspace]\n"
        );
    }

    #[test]
    fn cargo_toml_drops_targets_without_files_and_takes_the_description() {
        let mut settings = Settings::new("spec.yaml");
        settings.crate_name = "sailpoint-isc".into();
        settings.description = Some("Per-service SDK".into());
        let template = TEMPLATE.replace("[package]\n", "[package]\ndescription = \"v2025 SDK\"\n");
        let text = cargo_toml(&template, &settings, &|p| p == "benches/sdk.rs", &[], true).unwrap();
        assert!(text.contains("description = \"Per-service SDK\""), "{text}");
        assert!(!text.contains("contract"), "{text}");
        assert!(text.contains("[[bench]]"), "{text}");
    }

    #[test]
    fn cargo_toml_drops_sailpoint_only_dependencies_and_their_features_for_other_specs() {
        let template = "[package]\nname = \"sailpoint-v2025\"\n\n# why\n[package.metadata.sdk]\nsailpoint-only = [\"keyring\"]\n\n[dependencies]\nurl = \"2\"\n# The OS keyring of SailPoint's CLI\nkeyring = { version = \"3\", optional = true }\n\n[features]\n# keyring comment\nkeyring = [\"dep:keyring\"]\n# uses it\nall = [\"keyring\"]\nkit = [\"url/std\"]\n";
        let settings = Settings::new("s.yaml");
        let ours = cargo_toml(template, &settings, &|_| true, &[], true).unwrap();
        let doc: toml_edit::DocumentMut = ours.parse().unwrap();
        assert!(doc["dependencies"].get("keyring").is_some(), "{ours}");
        assert!(doc["features"].get("all").is_some(), "{ours}");
        assert!(
            !ours.contains("metadata") && !ours.contains("# why"),
            "{ours}"
        );

        let foreign = cargo_toml(template, &settings, &|_| true, &[], false).unwrap();
        let doc: toml_edit::DocumentMut = foreign.parse().unwrap();
        assert!(doc["dependencies"].get("keyring").is_none(), "{foreign}");
        assert!(doc["features"].get("keyring").is_none(), "{foreign}");
        assert!(doc["features"].get("all").is_none(), "{foreign}");
        assert!(doc["features"].get("kit").is_some(), "{foreign}");
        assert!(!foreign.contains("metadata"), "{foreign}");
        assert!(
            !foreign.to_ascii_lowercase().contains("keyring"),
            "{foreign}"
        );
        assert!(!foreign.contains("SailPoint"), "{foreign}");
    }

    #[test]
    fn cargo_toml_gets_one_default_feature_per_tag_and_the_spec_description() {
        let mut settings = Settings::new("s.yaml");
        settings.description = Some("Pets".into());
        let template = TEMPLATE.replace("[lints]", "description = \"SailPoint\"\n\n[lints]");
        let text = cargo_toml(&template, &settings, &|_| true, &["pets", "type"], false).unwrap();
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        let default: Vec<&str> = doc["features"]["default"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(default, ["pets", "type"]);
        assert!(doc["features"]["pets"].as_array().unwrap().is_empty());
        assert_eq!(doc["package"]["description"].as_str(), Some("Pets"));
        assert!(!text.contains("SailPoint"));
    }
}
