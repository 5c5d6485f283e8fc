//! Output for people and for pipes: `--format json|jsonl|yaml|table`,
//! `--columns`, `--jsonpath` (RFC 9535, `serde_json_path`). Lists are
//! written as their pages arrive (a table waits for its first rows only, to
//! size its columns), never collected whole. A progress spinner goes to
//! stderr, only when stderr is a terminal.

use std::future::IntoFuture;
use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::ArgMatches;
use futures_util::stream::{BoxStream, StreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use serde_json::Value;
use serde_json_path::JsonPath;

use super::{Exit, Failure};

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Pretty JSON (a list: a JSON array, one item per line).
    Json,
    /// One compact JSON value per line.
    Jsonl,
    /// YAML (a list: a YAML sequence).
    Yaml,
    /// Aligned columns.
    Table,
}

/// Rows a table reads before it sizes its columns and starts printing.
const TABLE_LOOKAHEAD: usize = 50;
/// The widest a table cell gets.
const MAX_CELL: usize = 60;

/// Where the results go, and how.
pub struct Output {
    format: Option<Format>,
    columns: Option<Vec<String>>,
    jsonpath: Option<JsonPath>,
    max: Option<u64>,
    concurrency: usize,
    progress: bool,
    stdout_tty: bool,
}

impl Output {
    /// The output flags of the command line (`m`: the operation's matches,
    /// where the global flags are too).
    pub fn new(_root: &ArgMatches, m: &ArgMatches) -> Result<Self, Failure> {
        let format = match m
            .try_get_one::<String>("format")
            .ok()
            .flatten()
            .map(String::as_str)
        {
            Some("json") => Some(Format::Json),
            Some("jsonl") => Some(Format::Jsonl),
            Some("yaml") => Some(Format::Yaml),
            Some("table") => Some(Format::Table),
            _ => None,
        };
        let jsonpath = match m.try_get_one::<String>("jsonpath").ok().flatten() {
            Some(q) => Some(
                JsonPath::parse(q).map_err(|e| Failure::usage(format!("--jsonpath `{q}`: {e}")))?,
            ),
            None => None,
        };
        let columns = m.try_get_many::<String>("columns").ok().flatten().map(|c| {
            c.map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        });
        let no_progress = m
            .try_get_one::<bool>("no-progress")
            .ok()
            .flatten()
            .copied()
            .unwrap_or(false);
        Ok(Output {
            format,
            columns,
            jsonpath,
            max: m.try_get_one::<u64>("max").ok().flatten().copied(),
            concurrency: m
                .try_get_one::<u64>("concurrency")
                .ok()
                .flatten()
                .map_or(1, |n| usize::try_from(*n).unwrap_or(1)),
            progress: !no_progress && std::io::stderr().is_terminal(),
            stdout_tty: std::io::stdout().is_terminal(),
        })
    }

    /// `--max`.
    pub fn max(&self) -> Option<u64> {
        self.max
    }

    /// `--concurrency` (default 1).
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    fn format(&self, list: bool) -> Format {
        self.format.unwrap_or(match (self.stdout_tty, list) {
            (true, _) => Format::Table,
            (false, true) => Format::Jsonl,
            (false, false) => Format::Json,
        })
    }

    fn spinner(&self, what: &str) -> Option<ProgressBar> {
        if !self.progress {
            return None;
        }
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            pb.set_style(style);
        }
        pb.set_message(what.to_owned());
        pb.enable_steady_tick(Duration::from_millis(120));
        Some(pb)
    }

    /// Sends one request; the body of its answer, or the failure.
    pub async fn call<T, E>(
        &mut self,
        call: impl IntoFuture<Output = Result<sdk::Response<T>, sdk::Error<E>>>,
    ) -> Result<T, Failure> {
        let pb = self.spinner("calling");
        let result = call.into_future().await;
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        result
            .map(sdk::Response::into_body)
            .map_err(|e| Failure::from_sdk(&e))
    }

    fn records(&self, value: Value) -> Vec<Value> {
        match &self.jsonpath {
            Some(path) => path.query(&value).all().into_iter().cloned().collect(),
            None => vec![value],
        }
    }

    /// Prints one JSON answer.
    pub fn json<T: Serialize>(&mut self, body: &T) -> Result<(), Failure> {
        let value = serde_json::to_value(body)
            .map_err(|e| Failure::usage(format!("the answer cannot be shown as JSON: {e}")))?;
        let value = match &self.jsonpath {
            Some(_) => {
                let mut nodes = self.records(value);
                if nodes.len() == 1 {
                    nodes.remove(0)
                } else {
                    Value::Array(nodes)
                }
            }
            None => value,
        };
        let mut out = std::io::stdout().lock();
        match self.format(false) {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, &value).map_err(std::io::Error::from)?;
                writeln!(out)?;
            }
            Format::Jsonl => {
                serde_json::to_writer(&mut out, &value).map_err(std::io::Error::from)?;
                writeln!(out)?;
            }
            Format::Yaml => out.write_all(yaml(&value)?.as_bytes())?,
            Format::Table => match &value {
                Value::Array(items) => {
                    let mut t = Table::new(self.columns.clone());
                    for item in items {
                        t.push(item.clone(), &mut out)?;
                    }
                    t.flush(&mut out)?;
                }
                Value::Object(map) => {
                    let rows: Vec<(String, String)> = map
                        .iter()
                        .filter(|(k, _)| {
                            self.columns
                                .as_ref()
                                .is_none_or(|c| c.iter().any(|c| c == *k))
                        })
                        .map(|(k, v)| (k.clone(), cell(v)))
                        .collect();
                    let w = rows
                        .iter()
                        .map(|(k, _)| k.chars().count())
                        .max()
                        .unwrap_or(0)
                        .max(5);
                    writeln!(out, "{:<w$}  VALUE", "FIELD")?;
                    for (k, v) in rows {
                        writeln!(out, "{k:<w$}  {v}")?;
                    }
                }
                other => writeln!(out, "{}", cell(other))?,
            },
        }
        out.flush()?;
        Ok(())
    }

    /// Prints a text answer as it is.
    pub fn text(&mut self, body: &str) -> Result<(), Failure> {
        let mut out = std::io::stdout().lock();
        out.write_all(body.as_bytes())?;
        if !body.ends_with('\n') {
            writeln!(out)?;
        }
        Ok(())
    }

    /// Writes a binary answer to stdout as it is.
    pub fn bytes(&mut self, body: &[u8]) -> Result<(), Failure> {
        let mut out = std::io::stdout().lock();
        out.write_all(body)?;
        out.flush()?;
        Ok(())
    }

    /// An answer without a body: nothing to print.
    pub fn empty(&mut self) -> Result<(), Failure> {
        Ok(())
    }

    /// Prints every item of a paged list as it arrives.
    pub async fn stream<T: Serialize, E>(
        &mut self,
        mut items: BoxStream<'static, Result<T, sdk::Error<E>>>,
    ) -> Result<(), Failure> {
        let format = self.format(true);
        let pb = self.spinner("listing");
        let mut table = Table::new(self.columns.clone());
        let mut first = true;
        let mut count: u64 = 0;
        let mut failure = None;
        while let Some(item) = items.next().await {
            let item = match item {
                Ok(item) => item,
                Err(e) => {
                    failure = Some(Failure::from_sdk(&e));
                    break;
                }
            };
            count += 1;
            if let Some(pb) = &pb {
                pb.set_message(format!("listing: {count} items"));
            }
            let value = serde_json::to_value(&item)
                .map_err(|e| Failure::usage(format!("an item cannot be shown as JSON: {e}")))?;
            let mut out = std::io::stdout().lock();
            for record in self.records(value) {
                match format {
                    Format::Jsonl => {
                        serde_json::to_writer(&mut out, &record).map_err(std::io::Error::from)?;
                        writeln!(out)?;
                    }
                    Format::Json => {
                        out.write_all(if first { b"[\n" } else { b",\n" })?;
                        serde_json::to_writer(&mut out, &record).map_err(std::io::Error::from)?;
                    }
                    Format::Yaml => {
                        let text = yaml(&record)?;
                        let mut lines = text.lines();
                        if let Some(l) = lines.next() {
                            writeln!(out, "- {l}")?;
                        }
                        for l in lines {
                            writeln!(out, "  {l}")?;
                        }
                    }
                    Format::Table => table.push(record, &mut out)?,
                }
                first = false;
            }
            // A page's items reach a pipe as they come, not at the end.
            out.flush()?;
        }
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        let mut out = std::io::stdout().lock();
        match format {
            Format::Json if first => writeln!(out, "[]")?,
            Format::Json => writeln!(out, "\n]")?,
            Format::Yaml if first => writeln!(out, "[]")?,
            Format::Table => table.flush(&mut out)?,
            _ => {}
        }
        out.flush()?;
        match failure {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }
    // @sdk if multi_status

    /// Prints a per-item (`207`) answer: one record per item, like a list;
    /// any failed item makes it an API error (exit code 1) naming each one.
    pub async fn multi<T: Serialize>(
        &mut self,
        results: sdk::MultiStatus<T>,
    ) -> Result<(), Failure> {
        let failed: Vec<String> = results
            .failed()
            .map(|o| {
                format!(
                    "{} ({}{})",
                    o.id().unwrap_or("?"),
                    o.status()
                        .map_or_else(|| "no status".to_owned(), |s| s.to_string()),
                    o.message().map(|m| format!(": {m}")).unwrap_or_default()
                )
            })
            .collect();
        let total = results.len();
        let items: Vec<T> = results
            .into_iter()
            .map(sdk::ItemOutcome::into_item)
            .collect();
        let stream: BoxStream<'static, Result<Value, sdk::Error<()>>> = futures_util::stream::iter(
            items
                .iter()
                .map(|i| serde_json::to_value(i).unwrap_or(Value::Null))
                .map(Ok)
                .collect::<Vec<_>>(),
        )
        .boxed();
        self.stream(stream).await?;
        if failed.is_empty() {
            return Ok(());
        }
        Err(Failure {
            exit: Exit::Api,
            message: format!(
                "{} of {total} items failed: {}",
                failed.len(),
                failed.join(", ")
            ),
            detail: None,
        })
    }
    // @sdk end

    /// Waits for a waiter; prints the final status, and makes its outcome
    /// the exit code.
    pub async fn wait<S: Serialize, SE, PE>(
        &mut self,
        waiting: impl IntoFuture<Output = Result<sdk::WaitOutcome<S>, sdk::WaitError<S, SE, PE>>>,
    ) -> Result<(), Failure> {
        let pb = self.spinner("waiting");
        let result = waiting.into_future().await;
        if let Some(pb) = pb {
            pb.finish_and_clear();
        }
        let failed = |message: &str| Failure {
            exit: Exit::JobFailed,
            message: message.to_owned(),
            detail: None,
        };
        match result {
            Ok(sdk::WaitOutcome::Succeeded(status)) => self.json(&status),
            Ok(sdk::WaitOutcome::Failed(status)) => {
                self.json(&status)?;
                Err(failed("the work ended in a failure state"))
            }
            Err(sdk::WaitError::UnknownStatus(status)) => {
                self.json(&status)?;
                Err(failed(
                    "the work reached a state this tool does not know; it stopped waiting",
                ))
            }
            Err(sdk::WaitError::Timeout {
                last_status,
                last_state,
                last_state_unknown,
                elapsed,
                ..
            }) => Err(Failure {
                exit: Exit::Timeout,
                message: format!(
                    "gave up waiting after {} s{}; the work may still be running",
                    elapsed.as_secs(),
                    match (&last_state, last_state_unknown) {
                        (Some(state), true) => {
                            format!(" in the state {state} (not one this tool knows)")
                        }
                        (Some(state), false) => format!(" in the state {state}"),
                        (None, _) => String::new(),
                    }
                ),
                detail: last_status
                    .and_then(|s| serde_json::to_string(&s).ok())
                    .map(|s| format!("last status: {s}")),
            }),
            Err(sdk::WaitError::Start(e)) => Err(Failure::from_sdk(&e)),
            Err(sdk::WaitError::Poll(e)) => Err(Failure::from_sdk(&e)),
        }
    }

    /// Flushes stdout.
    pub fn finish(&mut self) -> Result<(), Failure> {
        std::io::stdout().flush()?;
        Ok(())
    }
}

fn yaml(value: &Value) -> Result<String, Failure> {
    serde_yaml::to_string(value)
        .map_err(|e| Failure::usage(format!("the answer cannot be shown as YAML: {e}")))
}

/// A table cell: strings bare, nested values as compact JSON, cut at
/// [`MAX_CELL`] characters.
fn cell(v: &Value) -> String {
    let s = match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let s = s.replace(['\n', '\t'], " ");
    if s.chars().count() > MAX_CELL {
        let mut cut: String = s.chars().take(MAX_CELL - 1).collect();
        cut.push('…');
        cut
    } else {
        s
    }
}

/// The value at a dotted path (`owners.primary.name`).
fn at<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

/// A table printed as rows arrive: the first [`TABLE_LOOKAHEAD`] rows size
/// the columns; later rows are padded to those widths (a longer cell pushes
/// its row's later cells right rather than being cut further).
struct Table {
    columns: Option<Vec<String>>,
    widths: Vec<usize>,
    pending: Vec<Value>,
    started: bool,
}

impl Table {
    fn new(columns: Option<Vec<String>>) -> Self {
        Table {
            columns,
            widths: Vec::new(),
            pending: Vec::new(),
            started: false,
        }
    }

    fn push(&mut self, row: Value, out: &mut impl Write) -> std::io::Result<()> {
        if self.started {
            return self.row(&row, out);
        }
        self.pending.push(row);
        if self.pending.len() >= TABLE_LOOKAHEAD {
            self.start(out)?;
        }
        Ok(())
    }

    fn start(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        self.started = true;
        let columns = match self.columns.take() {
            Some(c) => c,
            None => match self.pending.first() {
                Some(Value::Object(map)) => {
                    let scalar: Vec<String> = map
                        .iter()
                        .filter(|(_, v)| !v.is_object() && !v.is_array())
                        .map(|(k, _)| k.clone())
                        .take(8)
                        .collect();
                    if scalar.is_empty() {
                        map.keys().take(8).cloned().collect()
                    } else {
                        scalar
                    }
                }
                _ => vec![String::new()],
            },
        };
        self.widths = columns
            .iter()
            .map(|c| {
                self.pending
                    .iter()
                    .map(|r| cell(&self.value(r, c)).chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(c.chars().count())
            })
            .collect();
        let header: Vec<String> = columns.iter().map(|c| c.to_uppercase()).collect();
        self.columns = Some(columns);
        self.line(&header, out)?;
        for row in std::mem::take(&mut self.pending) {
            self.row(&row, out)?;
        }
        Ok(())
    }

    fn value(&self, row: &Value, column: &str) -> Value {
        if column.is_empty() {
            return row.clone();
        }
        at(row, column).cloned().unwrap_or(Value::Null)
    }

    fn row(&self, row: &Value, out: &mut impl Write) -> std::io::Result<()> {
        let cells: Vec<String> = self
            .columns
            .iter()
            .flatten()
            .map(|c| cell(&self.value(row, c)))
            .collect();
        self.line(&cells, out)
    }

    fn line(&self, cells: &[String], out: &mut impl Write) -> std::io::Result<()> {
        let mut text = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let w = self.widths.get(i).copied().unwrap_or(0);
            if i + 1 == cells.len() {
                text.push_str(c);
            } else {
                text.push_str(&format!("{c:<w$}"));
            }
        }
        writeln!(out, "{}", text.trim_end())
    }

    fn flush(&mut self, out: &mut impl Write) -> std::io::Result<()> {
        if !self.started && !self.pending.is_empty() {
            self.start(out)?;
        }
        Ok(())
    }
}
