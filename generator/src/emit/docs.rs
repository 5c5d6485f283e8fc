//! Turns spec prose into rustdoc attributes.
//!
//! Spec text is Markdown written for a web page, not for rustdoc: bare URLs,
//! `[brackets]` that rustdoc would read as intra-doc links, and code fences
//! that rustdoc would run as doctests. [`clean`] fixes those, and [`doc_attrs`]
//! emits one `#[doc = " line"]` per line, which prettyplease prints as `///`.

use crate::ir::Api;
use proc_macro2::TokenStream;
use quote::quote;

/// One `#[doc]` attribute per line of `text` (after [`clean`]).
pub fn doc_attrs(text: &str) -> TokenStream {
    doc_attrs_raw(&clean(text))
}

/// One `#[doc]` attribute per line of text that the generator wrote itself
/// (intra-doc links and all), so it is not cleaned.
pub fn doc_attrs_raw(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #[doc = #l] }
    });
    quote! { #(#lines)* }
}

/// Inner `#![doc]` attributes, for module docs.
pub fn inner_doc_attrs(text: &str) -> TokenStream {
    let cleaned = clean(text);
    let lines = cleaned.lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #![doc = #l] }
    });
    quote! { #(#lines)* }
}

/// Makes spec prose safe for rustdoc.
pub fn clean(text: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    let mut lazy = Lazy::None;
    for line in text.trim().lines() {
        let line = line.trim_end();
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if in_fence {
                in_fence = false;
                out.push_str("```\n");
            } else {
                in_fence = true;
                let lang = info.trim();
                // Prose never runs as a doctest.
                let lang = if lang.is_empty() || lang == "rust" {
                    "text"
                } else {
                    lang
                };
                out.push_str("```");
                out.push_str(lang);
                out.push('\n');
            }
            continue;
        }
        if in_fence {
            out.push_str(line);
        } else {
            let cleaned = clean_line(line);
            // A line that goes on a list item or a quote without its marker
            // or indentation is a "lazy continuation", which clippy
            // (`doc_lazy_continuation`) rejects: indent it under the item,
            // or quote it.
            match lazy {
                Lazy::Item(width) if !cleaned.is_empty() && !starts_block(&cleaned) => {
                    out.push_str(&" ".repeat(width));
                }
                Lazy::Quote if !cleaned.is_empty() && !cleaned.starts_with('>') => {
                    out.push_str("> ");
                }
                _ => {}
            }
            lazy = if cleaned.is_empty() {
                Lazy::None
            } else if let Some(width) = list_marker(&cleaned) {
                Lazy::Item(width)
            } else if cleaned.starts_with('>') {
                Lazy::Quote
            } else {
                lazy
            };
            out.push_str(&cleaned);
        }
        out.push('\n');
    }
    if in_fence {
        out.push_str("```\n");
    }
    out.trim_end().to_string()
}

/// What a line that follows without a blank line continues.
#[derive(Clone, Copy)]
enum Lazy {
    None,
    /// A list item whose text starts this many columns in.
    Item(usize),
    Quote,
}

/// The width of a list item's marker (`- `, `* `, `+ `, `12. `), if the
/// (unindented) line starts one.
fn list_marker(line: &str) -> Option<usize> {
    if ["- ", "* ", "+ "].iter().any(|m| line.starts_with(m)) {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = &line[digits..];
    (digits > 0 && digits <= 2 && (rest.starts_with(". ") || rest.starts_with(") ")))
        .then_some(digits + 2)
}

/// Whether a line opens a block of its own (a heading, another item, a
/// table row, an indented line), so it continues nothing.
fn starts_block(line: &str) -> bool {
    line.starts_with(' ')
        || line.starts_with('#')
        || line.starts_with('|')
        || line.starts_with('>')
        || list_marker(line).is_some()
}

fn clean_line(line: &str) -> String {
    // Leading indentation of 4+ spaces would be a code block; prose never is.
    let line = if line.starts_with("    ") {
        line.trim_start()
    } else {
        line
    };
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let mut in_code = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            in_code = !in_code;
            out.push(c);
            i += 1;
            continue;
        }
        if in_code {
            out.push(c);
            i += 1;
            continue;
        }
        // A Markdown link `[text](url)` is fine; keep it whole.
        if c == '[' {
            if let Some(end) = link_end(&chars, i) {
                out.extend(&chars[i..end]);
                i = end;
                continue;
            }
            out.push_str("\\[");
            i += 1;
            continue;
        }
        if c == ']' {
            out.push_str("\\]");
            i += 1;
            continue;
        }
        // Bare URLs become autolinks.
        if starts_url(&chars[i..]) && (i == 0 || !matches!(chars[i - 1], '<' | '(' | '"')) {
            let end = (i..chars.len())
                .find(|&j| chars[j].is_whitespace() || matches!(chars[j], '>' | ')' | '"'))
                .unwrap_or(chars.len());
            let mut url: String = chars[i..end].iter().collect();
            let mut tail = String::new();
            while url.ends_with(['.', ',', ';', ':']) {
                tail.insert(0, url.pop().unwrap_or_default());
            }
            out.push('<');
            out.push_str(&url);
            out.push('>');
            out.push_str(&tail);
            i = end;
            continue;
        }
        out.push(c);
        i += 1;
    }
    if in_code {
        // An unbalanced backtick would swallow the rest of the doc.
        out = out.replace('`', "'");
    }
    out
}

fn starts_url(chars: &[char]) -> bool {
    let s: String = chars.iter().take(8).collect();
    s.starts_with("http://") || s.starts_with("https://")
}

/// If `chars[start]` opens `[text](url)`, the index after the `)`.
fn link_end(chars: &[char], start: usize) -> Option<usize> {
    let close = (start + 1..chars.len()).find(|&j| chars[j] == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = (close + 2..chars.len()).find(|&j| chars[j] == ')')?;
    Some(end + 1)
}

/// What the docs of an experimental operation say about opting in, as
/// rustdoc (`links`: with intra-doc links) or as plain Markdown for the
/// method pages: the client's opt-in, `SAIL_EXPERIMENTAL` only where the
/// spec opts into SailPoint's conventions, and the header only where the
/// spec has one ([`Api::experimental_header`]).
pub fn experimental_note(api: &Api, links: bool) -> String {
    let code = |text: &str, path: &str| {
        if links {
            format!("[`{text}`]({path})")
        } else {
            format!("`{text}`")
        }
    };
    let mut text = format!(
        "the client must opt in with {}",
        code(
            "ClientBuilder::experimental",
            "crate::ClientBuilder::experimental"
        )
    );
    if api.sailpoint {
        text.push_str(&format!(
            " or, for {}, `SAIL_EXPERIMENTAL=true`",
            code("Client::from_env", "crate::Client::from_env")
        ));
    }
    if let Some(header) = &api.experimental_header {
        text.push_str(&format!(", which makes it send `{header}: true`"));
    }
    text.push_str(&format!(
        "; otherwise the call fails with {} before anything is sent.",
        code(
            "Error::ExperimentalNotEnabled",
            "crate::Error::ExperimentalNotEnabled"
        )
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn prose_is_made_safe_for_rustdoc() {
        let table = [
            ("See https://example.com/x.", "See <https://example.com/x>."),
            ("a [b] c", "a \\[b\\] c"),
            ("a [b](https://x.y) c", "a [b](https://x.y) c"),
            ("```\nlet x = 1;\n```", "```text\nlet x = 1;\n```"),
            ("```json\n{}\n```", "```json\n{}\n```"),
            ("```\nunclosed", "```text\nunclosed\n```"),
            ("code `[x]` stays", "code `[x]` stays"),
            ("odd ` tick", "odd ' tick"),
            ("    indented", "indented"),
            ("<https://x.y>", "<https://x.y>"),
            // Lazy continuations of list items and quotes are indented or
            // quoted; a blank line ends the item.
            ("- a\nb\n\nc", "- a\n  b\n\nc"),
            ("1. a\nb\n- c\nd", "1. a\n   b\n- c\n  d"),
            ("> a\nb", "> a\n> b"),
            ("- a\n  b", "- a\n  b"),
        ];
        for (input, want) in table {
            assert_eq!(clean(input), want, "clean({input:?})");
        }
    }
}
