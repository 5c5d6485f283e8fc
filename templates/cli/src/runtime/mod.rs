//! The hand-written part of the tool: the root command and its own flags,
//! the exit codes, and the one place an error becomes a message and a code.
//!
//! # Exit codes
//!
//! | Code | Meaning |
//! |---|---|
//! | 0 | Success (a waited-for job reached a success state) |
//! | 1 | API error: the server answered with an error status, or an answer the SDK refuses (undecodable body, redirect, body too large, a repeated page) |
//! | 2 | Usage error: bad flags, a filter, sort or body refused before sending, missing configuration, an experimental operation without `--experimental` |
//! | 3 | Timeout: a call or a `--wait` ran out of time |
//! | 4 | Network failure: the server or the token endpoint could not be reached |
//! | 5 | The waited-for job ended in a failure state, or in a state this tool does not know |

pub mod args;
pub mod body;
pub mod config;
pub mod filter;
pub mod output;

pub use output::Output;

use std::process::ExitCode;

/// The exit codes (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0.
    Success = 0,
    /// 1.
    Api = 1,
    /// 2.
    Usage = 2,
    /// 3.
    Timeout = 3,
    /// 4.
    Network = 4,
    /// 5.
    JobFailed = 5,
}

/// The table the root command's `--help` ends with.
pub const EXIT_CODES: &str = "Exit codes: 0 success; 1 API error (the server answered with an error); \
2 usage error (bad flags, a filter, sort or body refused before sending, missing configuration); \
3 timeout (a call, or --wait); 4 network failure; 5 a waited-for job failed or ended in an unknown state.";

/// Why a command did not succeed: the exit code, a one-line message, and
/// what the server said, if anything.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// The message (`error: ...` on stderr); empty prints nothing.
    pub message: String,
    /// More lines for stderr.
    pub detail: Option<String>,
}

impl Failure {
    /// A usage error (exit code 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
            detail: None,
        }
    }

    /// Stdout was closed (`| head`): stop quietly, with success.
    pub fn closed() -> Self {
        Failure {
            exit: Exit::Success,
            message: String::new(),
            detail: None,
        }
    }

    /// The exit code and message of an SDK error.
    pub fn from_sdk<E>(err: &sdk::Error<E>) -> Self {
        let exit = match err {
            sdk::Error::Timeout { .. } => Exit::Timeout,
            sdk::Error::Transport { .. } => Exit::Network,
            sdk::Error::Auth { source, .. } if source.status().is_none() => Exit::Network,
            sdk::Error::Config(_)
            | sdk::Error::ExperimentalNotEnabled { .. }
            | sdk::Error::InvalidRequest { .. }
            | sdk::Error::Serialize(_) => Exit::Usage,
            _ => Exit::Api,
        };
        let mut message = err.to_string();
        if let sdk::Error::ExperimentalNotEnabled { .. } = err {
            message.push_str("; on the command line: pass --experimental");
        }
        // The SDK's message already carries the status, the URL and the
        // server's body (with echoed secrets redacted).
        Failure {
            exit,
            message,
            detail: None,
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            return Failure::closed();
        }
        Failure {
            exit: Exit::Usage,
            message: format!("writing the output: {e}"),
            detail: None,
        }
    }
}

/// The root command: the tool's own flags, every tag group, `completions`
/// and `man`.
pub fn root() -> clap::Command {
    let root = clap::Command::new("@BIN@")
        .about("Command-line tool for @API_TITLE@")
        .long_about(
            "Command-line tool for @API_TITLE@: one command group per tag, one command per \
             operation, every call made through the generated SDK (auth, retries, rate limits, \
             paging and waiters included).",
        )
        .after_help(config::HELP)
        .after_long_help(format!("{}\n\n{EXIT_CODES}", config::HELP))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(args::global())
        .subcommand(
            clap::Command::new("completions")
                .about("Print a shell completion script")
                .arg(
                    clap::Arg::new("shell")
                        .required(true)
                        .value_parser(clap::value_parser!(clap_complete::Shell))
                        .help("The shell (bash, zsh, fish, elvish, powershell)"),
                ),
        )
        .subcommand(clap::Command::new("man").about("Print the man page (roff)"));
    crate::commands::groups(root)
}

/// Parses the command line, runs the command, and returns its exit code.
pub fn main() -> ExitCode {
    let m = match root().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            // clap's own code: 0 for --help and --version, 2 for usage errors.
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    match run(&m) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("error: {}", config::redact(&f.message));
            }
            if let Some(d) = &f.detail {
                eprintln!("{}", config::redact(d.trim_end()));
            }
            ExitCode::from(f.exit as u8)
        }
    }
}

fn run(m: &clap::ArgMatches) -> Result<(), Failure> {
    let Some((group, sub)) = m.subcommand() else {
        return Err(Failure::usage("no command given; see --help"));
    };
    match group {
        "completions" => {
            let shell = sub
                .get_one::<clap_complete::Shell>("shell")
                .copied()
                .ok_or_else(|| Failure::usage("completions needs a shell"))?;
            let mut cmd = root();
            clap_complete::generate(shell, &mut cmd, "@BIN@", &mut std::io::stdout());
            return Ok(());
        }
        "man" => {
            clap_mangen::Man::new(root()).render(&mut std::io::stdout())?;
            return Ok(());
        }
        _ => {}
    }
    let Some((command, op)) = sub.subcommand() else {
        return Err(Failure::usage(format!(
            "{group}: no command given; see `@BIN@ {group} --help`"
        )));
    };
    let mut out = Output::new(m, op)?;
    let client = config::client(m)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = rt.block_on(crate::commands::dispatch(
        &client, group, command, op, &mut out,
    ));
    out.finish()?;
    result
}
