//! `--body`: `@FILE`, `-` for stdin, or the body itself. A JSON body (a JSON
//! Patch document too) is decoded into the SDK's model before anything is
//! sent, and a body the model refuses is a usage error naming the JSON
//! pointer of the offending value.

use std::io::Read;

use clap::ArgMatches;
use serde::de::DeserializeOwned;

use super::Failure;

/// Whether `--body` was given.
pub fn given(m: &ArgMatches) -> bool {
    m.try_get_one::<String>("body").ok().flatten().is_some()
}

/// The raw bytes of `--body` and where they came from.
fn read(m: &ArgMatches) -> Result<(Vec<u8>, String), Failure> {
    let Some(arg) = m.try_get_one::<String>("body").ok().flatten() else {
        return Err(Failure::usage("--body is required"));
    };
    if arg == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::usage(format!("--body -: reading stdin: {e}")))?;
        return Ok((buf, "stdin".into()));
    }
    if let Some(path) = arg.strip_prefix('@') {
        let bytes =
            std::fs::read(path).map_err(|e| Failure::usage(format!("--body @{path}: {e}")))?;
        return Ok((bytes, path.to_owned()));
    }
    Ok((arg.clone().into_bytes(), "--body".into()))
}

/// `/a/0/b` from serde_path_to_error's path.
fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                out.push_str(&key.replace('~', "~0").replace('/', "~1"))
            }
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

/// The JSON body, decoded into the model `T`.
pub fn json<T: DeserializeOwned>(m: &ArgMatches) -> Result<T, Failure> {
    let (bytes, from) = read(m)?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = pointer(e.path());
        let at = if at.is_empty() { "/".to_owned() } else { at };
        let inner = e.into_inner();
        Failure::usage(format!(
            "the body ({from}) does not match the model at JSON pointer `{at}`: {inner}"
        ))
    })?;
    de.end()
        .map_err(|e| Failure::usage(format!("the body ({from}): trailing text: {e}")))?;
    Ok(value)
}

/// The body as text.
pub fn text(m: &ArgMatches) -> Result<String, Failure> {
    let (bytes, from) = read(m)?;
    String::from_utf8(bytes)
        .map_err(|_| Failure::usage(format!("the body ({from}) is not UTF-8 text")))
}

/// The body as bytes.
pub fn bytes(m: &ArgMatches) -> Result<Vec<u8>, Failure> {
    Ok(read(m)?.0)
}
