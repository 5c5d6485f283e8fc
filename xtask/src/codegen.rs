//! `codegen` and `check`: the only places that read the spec and templates
//! and write `generated/` (one folder per crate of [`OURS`]).

use anyhow::{bail, Context, Result};
use generator::{Output, Settings, Template};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::ours::{ours, OurCrate, DEFAULT_SPEC, OURS};

/// Parsed command-line options of `codegen`.
pub struct Options {
    pub spec: String,
    pub out: PathBuf,
    pub settings: Settings,
    /// Everything under `templates/`.
    pub templates: Vec<Template>,
    /// The command-line tool generated beside the SDK, if any.
    pub cli: Option<CliPlan>,
}

/// Where and how the command-line tool beside an SDK crate is generated.
pub struct CliPlan {
    pub out: PathBuf,
    pub settings: generator::CliSettings,
    /// `templates/cli/` (with the crate's overlay, for ours).
    pub templates: Vec<Template>,
}

/// The runs `codegen` and `check` make: every crate of [`OURS`] without
/// arguments, else the one the options name.
pub fn plan(args: &[String]) -> Result<Vec<Options>> {
    plan_in(Path::new("."), args)
}

/// [`plan`] with the templates read below `root`.
fn plan_in(root: &Path, args: &[String]) -> Result<Vec<Options>> {
    if args.is_empty() {
        return OURS
            .iter()
            .map(|c| options_in(root, &["--spec".to_string(), c.spec.to_string()]))
            .collect();
    }
    Ok(vec![options_in(root, args)?])
}

pub fn options(args: &[String]) -> Result<Options> {
    options_in(Path::new("."), args)
}

fn options_in(root: &Path, args: &[String]) -> Result<Options> {
    let mut spec = DEFAULT_SPEC.to_string();
    let mut out = None;
    let mut tags = Vec::new();
    let mut strict = None;
    let mut name = None;
    let mut tag_features = None;
    let mut no_cli = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .with_context(|| format!("{flag} needs a value"))
        };
        match a.as_str() {
            "--spec" => spec = value("--spec")?,
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--tag" => tags.push(value("--tag")?),
            "--name" => name = Some(value("--name")?),
            "--strict" => strict = Some(true),
            "--lenient" => strict = Some(false),
            "--tag-features" => tag_features = Some(true),
            "--no-tag-features" => tag_features = Some(false),
            "--no-cli" => no_cli = true,
            other => bail!("unknown option `{other}` (see `cargo xtask help`)"),
        }
    }
    let krate = ours(&spec);
    // generated/ holds the checked-in SDKs; another spec must not replace
    // them by accident.
    let out = match (out, krate) {
        (Some(dir), _) => dir,
        (None, Some(k)) => PathBuf::from(k.out),
        (None, None) => bail!(
            "`--spec {spec}` needs `--out DIR`: generated/ holds the SDKs generated from our specs"
        ),
    };
    let ours = krate.is_some();
    let mut settings = Settings::new(spec.clone());
    settings.lower.tags = tags;
    // Our own specs must be clean; a foreign spec gets best effort.
    settings.lower.strict = strict.unwrap_or(ours);
    settings.sdk_extras = ours && settings.lower.tags.is_empty();
    settings.standalone = !OURS.iter().any(|k| out == Path::new(k.out));
    if let Some(n) = name {
        settings.crate_name = n;
    } else if let Some(k) = krate {
        settings.crate_name = k.name.into();
    } else {
        settings.crate_name = "generated-sdk".into();
    }
    settings.description = krate.and_then(|k| k.description).map(String::from);
    settings.tag_features = tag_features.unwrap_or(krate.is_none_or(|k| k.tag_features));
    let templates = inputs(root, krate)?;
    // Ours get a tool where `cli_bin` says so; a foreign spec always does
    // (in `{out}-cli`), unless `--no-cli`.
    let bin = match krate {
        Some(k) => k.cli_bin.map(str::to_owned),
        None => Some(settings.crate_name.clone()),
    };
    let cli = match bin.filter(|_| !no_cli) {
        Some(bin) => Some(cli_plan(root, &out, &settings, krate, bin)?),
        None => None,
    };
    Ok(Options {
        spec,
        out,
        settings,
        templates,
        cli,
    })
}

/// The plan for the tool beside the SDK crate in `out`: `{out}-cli`, package
/// `{crate}-cli`, depending on the SDK by its relative path.
fn cli_plan(
    root: &Path,
    out: &Path,
    settings: &Settings,
    krate: Option<&OurCrate>,
    bin: String,
) -> Result<CliPlan> {
    let name = out
        .file_name()
        .context("--out needs a directory name")?
        .to_string_lossy()
        .to_string();
    let cli_out = out.with_file_name(format!("{name}-cli"));
    let mut templates = Vec::new();
    for t in read_templates(
        &root.join("templates").join(CLI),
        &format!("templates/{CLI}"),
    )? {
        if !t.path.starts_with(&format!("{OVERLAYS}/")) {
            templates.push(t);
        }
    }
    if let Some(k) = krate {
        let dir = format!("templates/{CLI}/{OVERLAYS}/{}", k.name);
        for t in read_templates(&root.join(&dir), &dir)? {
            templates.retain(|s| s.path != t.path);
            templates.push(t);
        }
    }
    templates.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(CliPlan {
        out: cli_out,
        settings: generator::CliSettings {
            spec_path: settings.spec_path.clone(),
            crate_name: format!("{}-cli", settings.crate_name),
            bin,
            sdk_crate: settings.crate_name.clone(),
            sdk_path: format!("../{name}"),
            standalone: settings.standalone,
            lower: settings.lower.clone(),
        },
        templates,
    })
}

/// The folder of the command-line tool's templates under `templates/`.
const CLI: &str = "cli";

/// The folder of per-crate overlays under `templates/`.
const OVERLAYS: &str = "crates";
/// Folders an overlay replaces as a whole when it has them: a crate's tests,
/// examples and benches call its own operations and do not compile against
/// another crate.
const REPLACED_AS_A_WHOLE: [&str; 3] = ["tests/", "examples/", "benches/"];

/// The folder of crate-agnostic tests, examples and benches under
/// `templates/`: `templates/common/tests/x.rs` is every crate's `tests/x.rs`,
/// even where an overlay replaces the shared `tests/` folder. What such a file
/// needs of one crate's operations comes from a module each crate has
/// (`tests/sdk_ops/mod.rs`).
const COMMON: &str = "common";

/// What `generate` copies for one of our crates (`None`: a foreign spec):
/// the shared `templates/` (without `templates/crates/` and
/// `templates/common/`), overlaid by `templates/crates/{name}/` (a file
/// there replaces the shared file of the same path; its `tests/`,
/// `examples/` or `benches/` replace the shared folder), the crate-agnostic
/// files of `templates/common/` (which an overlay file of the same path
/// still replaces), the crate's changelog, and its migration report. Every
/// crate also gets the repository's `LICENSE`, which its `license = "MIT"`
/// names.
pub fn inputs(root: &Path, krate: Option<&OurCrate>) -> Result<Vec<Template>> {
    let mut templates = Vec::new();
    let mut common = Vec::new();
    for mut t in read_templates(&root.join("templates"), "templates")? {
        if let Some(path) = t.path.strip_prefix(&format!("{COMMON}/")) {
            t.path = path.to_owned();
            common.push(t);
        } else if !t.path.starts_with(&format!("{OVERLAYS}/"))
            && !t.path.starts_with(&format!("{CLI}/"))
        {
            templates.push(t);
        }
    }
    let overlay = match krate {
        Some(k) => {
            let dir = format!("templates/{OVERLAYS}/{}", k.name);
            read_templates(&root.join(&dir), &dir)?
        }
        None => Vec::new(),
    };
    for folder in REPLACED_AS_A_WHOLE {
        if overlay.iter().any(|t| t.path.starts_with(folder)) {
            templates.retain(|t| !t.path.starts_with(folder));
        }
    }
    for t in common.into_iter().chain(overlay) {
        templates.retain(|s| s.path != t.path);
        templates.push(t);
    }
    let license = root.join("LICENSE");
    templates.push(Template {
        path: "LICENSE".into(),
        contents: fs::read_to_string(&license)
            .with_context(|| format!("reading {}", license.display()))?,
        source: "LICENSE".into(),
    });
    let Some(k) = krate else {
        templates.sort_by(|a, b| a.path.cmp(&b.path));
        return Ok(templates);
    };
    let path = root.join(k.changelog.changelog);
    templates.push(Template {
        path: "CHANGELOG.md".into(),
        contents: fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?,
        source: k.changelog.changelog.into(),
    });
    if let Some(from) = k.migrates_from {
        templates.push(Template {
            path: "MIGRATING.md".into(),
            contents: crate::diff::migration_markdown(root, from, k.spec)?,
            source: format!("`cargo xtask diff {from} {} --migration`", k.spec),
        });
    }
    templates.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(templates)
}

/// Every file under `dir`, with its path relative to it; `label` is how
/// `dir` is named in the files' headers (`templates`).
pub fn read_templates(dir: &Path, label: &str) -> Result<Vec<Template>> {
    let mut out = Vec::new();
    for path in walk(dir)? {
        let rel = path.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
        let text =
            fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        out.push(Template {
            source: format!("{label}/{rel}"),
            path: rel,
            contents: text,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Files below `dir`, skipping build output.
fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if !dir.exists() {
        return Ok(out);
    }
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
            let entry = entry?;
            let p = entry.path();
            let name = entry.file_name();
            if matches!(name.to_str(), Some("target" | "node_modules" | ".git")) {
                continue;
            }
            if entry.file_type()?.is_dir() {
                todo.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads, parses and generates; prints warnings and all errors.
pub fn run_generator(opts: &Options) -> Result<Output> {
    if !Path::new(&opts.spec).is_file() {
        bail!("reading {}: no such file", opts.spec);
    }
    // The root and every file its `$ref`s reach, bundled into one document.
    let bundle = match generator::bundle(Path::new(&opts.spec), |p| fs::read_to_string(p)) {
        Ok(b) => b,
        Err(errors) => bail!("{}: {errors}", opts.spec),
    };
    let locate = |mut d: generator::Diagnostic| {
        d.pointer = bundle.locate(&d.pointer);
        d
    };
    let (spec, parse_warnings) = match generator::parse_value(bundle.value.clone()) {
        Ok(ok) => ok,
        Err(errors) => bail!(
            "{}: {}",
            opts.spec,
            generator::Errors(errors.0.into_iter().map(locate).collect())
        ),
    };
    let parse_warnings: Vec<_> = parse_warnings.into_iter().map(locate).collect();
    let mut parse_warnings =
        match generator::diag::settle(parse_warnings, opts.settings.lower.strict) {
            Ok(warnings) => warnings,
            Err(errors) => bail!("{}: {errors}", opts.spec),
        };
    let mut output = match generator::generate(&spec, &opts.settings, &opts.templates) {
        Ok(o) => o,
        Err(errors) => bail!(
            "{}: {}nothing was written",
            opts.spec,
            generator::Errors(errors.0.into_iter().map(locate).collect())
        ),
    };
    output.warnings = output.warnings.drain(..).map(locate).collect();
    output.summary.warnings += parse_warnings.len();
    parse_warnings.append(&mut output.warnings);
    parse_warnings.sort();
    output.warnings = parse_warnings;
    Ok(output)
}

/// Generates the command-line tool of `opts`, if it has one.
pub fn run_cli(opts: &Options) -> Result<Option<(PathBuf, Output)>> {
    let Some(cli) = &opts.cli else {
        return Ok(None);
    };
    let bundle = match generator::bundle(Path::new(&opts.spec), |p| fs::read_to_string(p)) {
        Ok(b) => b,
        Err(errors) => bail!("{}: {errors}", opts.spec),
    };
    let (spec, _) = match generator::parse_value(bundle.value.clone()) {
        Ok(ok) => ok,
        Err(errors) => bail!("{}: {errors}", opts.spec),
    };
    let files = match generator::generate_cli(&spec, &cli.settings, &cli.templates) {
        Ok(f) => f,
        Err(errors) => bail!("{}: {errors}nothing was written", opts.spec),
    };
    Ok(Some((
        cli.out.clone(),
        Output {
            files,
            warnings: Vec::new(),
            summary: Default::default(),
            timings: Default::default(),
        },
    )))
}

pub fn codegen(args: &[String]) -> Result<()> {
    for opts in plan(args)? {
        codegen_with(&opts)?;
    }
    Ok(())
}

fn codegen_with(opts: &Options) -> Result<()> {
    let output = run_generator(opts)?;
    for w in &output.warnings {
        eprintln!("{w}");
    }
    // The tool first: an error there leaves both crates as they were.
    let cli = run_cli(opts)?;
    write_atomically(&opts.out, &output)?;
    if let Some((out, cli)) = &cli {
        write_atomically(out, cli)?;
        eprintln!(
            "codegen: the command-line tool in {} ({} files)",
            out.display(),
            cli.files.len()
        );
    }
    let s = &output.summary;
    eprintln!(
        "codegen: {} operations generated, {} skipped, {} warnings; {} types, {} lines of generated Rust, {} files in {}",
        s.operations,
        s.skipped,
        s.warnings,
        s.types,
        s.generated_lines,
        output.files.len(),
        opts.out.display()
    );
    Ok(())
}

/// Writes the crate into a fresh sibling directory, then swaps it in, so
/// `out` is either the old crate or the new one, never a mix. A `target/`
/// directory inside `out` (a standalone crate's build output) is kept.
pub fn write_atomically(out: &Path, output: &Output) -> Result<()> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = out
        .file_name()
        .context("--out needs a directory name")?
        .to_string_lossy()
        .to_string();
    let staging = parent.join(format!(".{name}.new"));
    let old = parent.join(format!(".{name}.old"));
    for leftover in [&staging, &old] {
        if leftover.exists() {
            fs::remove_dir_all(leftover)
                .with_context(|| format!("removing {}", leftover.display()))?;
        }
    }
    for f in &output.files {
        let p = staging.join(&f.path);
        if let Some(d) = p.parent() {
            fs::create_dir_all(d)?;
        }
        fs::write(&p, &f.contents).with_context(|| format!("writing {}", p.display()))?;
    }
    if out.exists() {
        let target = out.join("target");
        if target.is_dir() {
            fs::rename(&target, staging.join("target"))?;
        }
        fs::rename(out, &old).with_context(|| format!("moving {} aside", out.display()))?;
    }
    fs::rename(&staging, out)
        .with_context(|| format!("moving the new crate into {}", out.display()))?;
    if old.exists() {
        fs::remove_dir_all(&old)?;
    }
    Ok(())
}

pub fn check(args: &[String]) -> Result<()> {
    for opts in plan(args)? {
        check_one(&opts)?;
    }
    Ok(())
}

fn check_one(opts: &Options) -> Result<()> {
    let output = run_generator(opts)?;
    let mut stale = stale_files(&opts.out, &output)?;
    if let Some((out, cli)) = run_cli(opts)? {
        stale.extend(stale_files(&out, &cli)?);
    }
    if let Some(k) = ours(&opts.spec) {
        crate::changelog::check(Path::new("."), &k.changelog)?;
    }
    if stale.is_empty() {
        eprintln!(
            "check: {} is up to date ({} files)",
            opts.out.display(),
            output.files.len()
        );
        return Ok(());
    }
    let mut msg = format!(
        "{} is stale; run `cargo xtask codegen` and commit the result:\n",
        opts.out.display()
    );
    for s in &stale {
        msg.push_str(&format!("  {s}\n"));
    }
    bail!(msg.trim_end().to_string())
}

/// Files that differ, are missing, or are orphans.
pub fn stale_files(out: &Path, output: &Output) -> Result<Vec<String>> {
    let mut stale = Vec::new();
    let wanted: BTreeSet<&str> = output.files.iter().map(|f| f.path.as_str()).collect();
    for f in &output.files {
        let p = out.join(&f.path);
        match fs::read_to_string(&p) {
            Ok(text) if text == f.contents => {}
            Ok(_) => stale.push(format!("{} (differs)", p.display())),
            Err(_) => stale.push(format!("{} (missing)", p.display())),
        }
    }
    for p in walk(out)? {
        let rel = p.strip_prefix(out)?.to_string_lossy().replace('\\', "/");
        if !wanted.contains(rel.as_str()) {
            stale.push(format!("{} (orphan: no longer generated)", p.display()));
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch directory under the system temp dir, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&dir);
            fs::create_dir_all(&dir).expect("create scratch dir");
            Scratch(dir)
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn opts(spec: &Path, out: &Path) -> Options {
        let mut settings = Settings::new(spec.display().to_string());
        settings.sdk_extras = false;
        settings.lower.strict = true;
        Options {
            spec: spec.display().to_string(),
            out: out.to_path_buf(),
            settings,
            templates: Vec::new(),
            cli: None,
        }
    }

    /// Every file below `dir` with its contents.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        walk(dir)
            .expect("walk")
            .into_iter()
            .map(|p| {
                let bytes = fs::read(&p).expect("read");
                (p, bytes)
            })
            .collect()
    }

    const GOOD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\ntags: [{name: A}]\npaths:\n  /a/{id}:\n    get:\n      operationId: getA\n      tags: [A]\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n      responses: {'204': {description: ok}}\n";

    #[test]
    fn bad_specs_leave_the_output_untouched_and_name_the_pointer() {
        let scratch = Scratch::new("bad-specs");
        let out = scratch.0.join("sdk");
        let spec = scratch.0.join("spec.yaml");
        fs::write(&spec, GOOD).unwrap();
        codegen_with(&opts(&spec, &out)).expect("the good spec generates");
        fs::write(
            out.join("marker.txt"),
            "an orphan that only a successful run removes",
        )
        .unwrap();
        let before = snapshot(&out);
        assert!(!before.is_empty());

        let cases = [
            ("not yaml: [", "#: not valid YAML"),
            ("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses: 5\n", "#/paths/~1a/get"),
            (&GOOD.replace("{id}", "{other}"), "#/paths/~1a~1{other}/get"),
            (&GOOD.replace("type: string}", "$ref: '#/components/schemas/Missing'}"), "unresolvable $ref"),
            (&GOOD.replace("      operationId: getA\n", ""), "has no operationId"),
            (&GOOD.replace("type: string}", "$ref: './nowhere.yaml'}"), "spec.yaml#/paths/~1a~1{id}/get/parameters/0/schema: unresolvable $ref `./nowhere.yaml`: cannot read"),
            (&GOOD.replace("type: string}", "$ref: 'https://example.com/id.yaml'}"), "is a URL"),
        ];
        for (text, expected) in cases {
            fs::write(&spec, text).unwrap();
            let err = codegen_with(&opts(&spec, &out)).expect_err(text);
            let msg = format!("{err:#}");
            assert!(msg.contains(expected), "{expected:?} not in {msg}");
            assert_eq!(snapshot(&out), before, "the output changed after {text:?}");
        }
        assert!(
            !scratch.0.join(".sdk.new").exists(),
            "no staging directory is left behind"
        );
    }

    /// The checked-in crate is the snapshot of the generator's output for
    /// our spec: reviewed in diffs, and this test (like `cargo xtask check`)
    /// fails when it is stale.
    #[test]
    fn checked_in_generated_crates_are_fresh() {
        let root = crate::root();
        for k in OURS {
            let mut settings = Settings::new(k.spec);
            settings.lower.strict = true;
            settings.crate_name = k.name.into();
            settings.description = k.description.map(String::from);
            settings.tag_features = k.tag_features;
            let templates = inputs(&root, Some(k)).unwrap();
            let text = fs::read_to_string(root.join(k.spec)).unwrap();
            let (spec, warnings) = generator::parse(&text).unwrap();
            assert!(warnings.is_empty(), "{warnings:?}");
            let output = generator::generate(&spec, &settings, &templates).unwrap();
            let stale = stale_files(&root.join(k.out), &output).unwrap();
            assert!(stale.is_empty(), "run `cargo xtask codegen`: {stale:#?}");
            // The command-line tool beside it, where it has one.
            let Some(bin) = k.cli_bin else { continue };
            let plan = cli_plan(&root, Path::new(k.out), &settings, Some(k), bin.into()).unwrap();
            let files = generator::generate_cli(&spec, &plan.settings, &plan.templates).unwrap();
            let cli = Output {
                files,
                warnings: Vec::new(),
                summary: Default::default(),
                timings: Default::default(),
            };
            let stale = stale_files(&root.join(&plan.out), &cli).unwrap();
            assert!(stale.is_empty(), "run `cargo xtask codegen`: {stale:#?}");
        }
    }

    #[test]
    fn tag_features_are_on_for_a_foreign_spec_and_off_for_ours() {
        let root = crate::root();
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ours = options_in(&root, &args(&["--spec", DEFAULT_SPEC])).unwrap();
        assert!(!ours.settings.tag_features);
        let foreign = options_in(&root, &args(&["--spec", "x.yaml", "--out", "target/x"])).unwrap();
        assert!(foreign.settings.tag_features);
        let off = options_in(
            &root,
            &args(&["--spec", "x.yaml", "--out", "target/x", "--no-tag-features"]),
        )
        .unwrap();
        assert!(!off.settings.tag_features);
        let on = options_in(&root, &args(&["--spec", DEFAULT_SPEC, "--tag-features"])).unwrap();
        assert!(on.settings.tag_features);
    }

    #[test]
    fn no_arguments_plan_every_crate_of_ours_strictly() {
        let plan = plan_in(&crate::root(), &[]).unwrap();
        let outs: Vec<_> = plan.iter().map(|o| o.out.display().to_string()).collect();
        assert_eq!(
            outs,
            ["generated/sailpoint-v2025", "generated/sailpoint-isc"]
        );
        assert!(plan
            .iter()
            .all(|o| o.settings.lower.strict && o.settings.sdk_extras));
        assert_eq!(plan[1].settings.crate_name, "sailpoint-isc");
        assert!(plan[1].templates.iter().any(|t| t.path == "MIGRATING.md"));
        assert!(!plan[0].templates.iter().any(|t| t.path == "MIGRATING.md"));
        assert!(
            !plan
                .iter()
                .flat_map(|o| &o.templates)
                .any(|t| t.path.starts_with("crates/") || t.path.starts_with("common/")),
            "overlays and the common folder are not copied as files"
        );
    }

    /// `templates/common/` reaches every crate, also one whose overlay
    /// replaces the shared `tests/` or `examples/`; an overlay's own files
    /// (its tests, the module the common files call) still reach only it.
    #[test]
    fn common_files_reach_every_crate_and_overlay_files_only_theirs() {
        let root = crate::root();
        let (v2025, isc) = (&OURS[0], &OURS[1]);
        let source = |k: &OurCrate, path: &str| -> Option<String> {
            inputs(&root, Some(k))
                .unwrap()
                .into_iter()
                .find(|t| t.path == path)
                .map(|t| t.source)
        };
        let common = [
            "tests/hostile.rs",
            "tests/waiters.rs",
            "tests/examples.rs",
            "tests/kit_raw/mod.rs",
            "examples/classify_source.rs",
            "examples/list_args/mod.rs",
            "benches/sdk.rs",
        ];
        for k in [v2025, isc] {
            for path in common {
                assert_eq!(
                    source(k, path),
                    Some(format!("templates/common/{path}")),
                    "{}",
                    k.name
                );
            }
        }
        assert_eq!(
            source(v2025, "tests/sdk_ops/mod.rs").as_deref(),
            Some("templates/tests/sdk_ops/mod.rs")
        );
        assert_eq!(
            source(isc, "tests/sdk_ops/mod.rs").as_deref(),
            Some("templates/crates/sailpoint-isc/tests/sdk_ops/mod.rs")
        );
        // The shared tests/ is v2025's; the isc overlay replaces it as a whole.
        assert!(source(isc, "tests/bulk_and_paging.rs").is_none());
        assert_eq!(
            source(isc, "tests/operations.rs").as_deref(),
            Some("templates/crates/sailpoint-isc/tests/operations.rs")
        );
        // Each crate's list example has its own list call.
        assert_eq!(
            source(isc, "examples/list_machine_identities.rs").as_deref(),
            Some("templates/crates/sailpoint-isc/examples/list_machine_identities.rs")
        );
    }

    #[test]
    fn a_good_run_removes_orphans_and_check_sees_no_difference() {
        let scratch = Scratch::new("orphans");
        let out = scratch.0.join("sdk");
        let spec = scratch.0.join("spec.yaml");
        fs::write(&spec, GOOD).unwrap();
        codegen_with(&opts(&spec, &out)).unwrap();
        fs::write(out.join("src/orphan.rs"), "// stale").unwrap();
        fs::write(out.join("src/lib.rs"), "// edited by hand").unwrap();
        let o = opts(&spec, &out);
        let stale = stale_files(&out, &run_generator(&o).unwrap()).unwrap();
        assert_eq!(stale.len(), 2, "{stale:?}");
        assert!(stale
            .iter()
            .any(|s| s.contains("orphan.rs") && s.contains("orphan")));
        assert!(stale
            .iter()
            .any(|s| s.contains("lib.rs") && s.contains("differs")));
        codegen_with(&o).unwrap();
        assert!(!out.join("src/orphan.rs").exists());
        assert!(stale_files(&out, &run_generator(&o).unwrap())
            .unwrap()
            .is_empty());
    }
}
