//! `--filter` and `--sort` as text, checked before anything is sent against
//! the fields, operators and value types the operation documents: the same
//! metadata (`FilterField` in the generator's IR) the SDK's typed filters are
//! generated from. The grammar is the one the SDK's `filter` module renders:
//! `or` of `and` of (`not`) comparisons, parentheses, `field op value`,
//! `field in (v, ...)`, postfix `isnull`, prefix `pr`; strings in double
//! quotes with `\` escapes, date-times bare or quoted. A checked expression is
//! sent exactly as written.

use clap::builder::ValueParser;

/// A value type of a filterable field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// A quoted string.
    String,
    /// `true` or `false`.
    Boolean,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// An RFC 3339 date-time.
    DateTime,
}

impl Value {
    fn name(self) -> &'static str {
        match self {
            Value::String => "string",
            Value::Boolean => "boolean",
            Value::Integer => "integer",
            Value::Number => "number",
            Value::DateTime => "date-time",
        }
    }
}

/// A documented filterable field.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The dotted wire path.
    pub name: &'static str,
    /// The type of the values it is compared with.
    pub ty: Value,
    /// The documented operators (`eq`, `isnull`, ...).
    pub ops: &'static [&'static str],
}

/// The clap check of `--filter` for an operation documenting `fields`.
pub fn parser(fields: &'static [Field]) -> ValueParser {
    ValueParser::new(move |s: &str| -> Result<String, String> {
        check(s, fields)?;
        Ok(s.to_owned())
    })
}

/// The clap check of `--sort` for an operation documenting `fields`.
pub fn sort_parser(fields: &'static [&'static str]) -> ValueParser {
    ValueParser::new(move |s: &str| -> Result<String, String> {
        check_sort(s, fields)?;
        Ok(s.to_owned())
    })
}

/// Checks a sort list: comma-separated documented fields, each with an
/// optional leading `-`.
pub fn check_sort(text: &str, fields: &[&str]) -> Result<(), String> {
    for part in text.split(',') {
        let name = part.trim();
        let name = name.strip_prefix('-').unwrap_or(name);
        if name.is_empty() {
            return Err(format!("an empty sort field in `{text}`"));
        }
        if !fields.contains(&name) {
            return Err(format!(
                "`{name}` is not a sort field of this operation; it sorts by: {}",
                fields.join(", ")
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn tokens(text: &str) -> Result<Vec<(usize, Tok)>, String> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push((at, Tok::Open));
                i += 1;
            }
            ')' => {
                out.push((at, Tok::Close));
                i += 1;
            }
            ',' => {
                out.push((at, Tok::Comma));
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(format!(
                                "a string opened at column {} is not closed",
                                at + 1
                            ))
                        }
                        Some((_, '"')) => break,
                        Some((_, '\\')) => {
                            let Some((_, e)) = chars.get(i + 1) else {
                                return Err(format!(
                                    "a string opened at column {} is not closed",
                                    at + 1
                                ));
                            };
                            s.push(*e);
                            i += 2;
                        }
                        Some((_, c)) => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                i += 1;
                out.push((at, Tok::Str(s)));
            }
            _ => {
                let mut w = String::new();
                while let Some((_, c)) = chars.get(i) {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '"') {
                        break;
                    }
                    w.push(*c);
                    i += 1;
                }
                out.push((at, Tok::Word(w)));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    fields: &'a [Field],
}

const OPERATORS: [&str; 10] = ["eq", "ne", "gt", "ge", "lt", "le", "co", "sw", "in", "ca"];

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.toks.get(self.pos).map_or_else(
            || self.toks.last().map_or(1, |(at, _)| at + 1),
            |(at, _)| at + 1,
        )
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
    }

    fn or(&mut self) -> Result<(), String> {
        self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            self.and()?;
        }
        Ok(())
    }

    fn and(&mut self) -> Result<(), String> {
        self.not()?;
        while self.keyword("and") {
            self.pos += 1;
            self.not()?;
        }
        Ok(())
    }

    fn not(&mut self) -> Result<(), String> {
        if self.keyword("not") {
            self.pos += 1;
            return self.not();
        }
        if self.peek() == Some(&Tok::Open) {
            self.pos += 1;
            self.or()?;
            if self.peek() != Some(&Tok::Close) {
                return Err(format!("expected `)` at column {}", self.column()));
            }
            self.pos += 1;
            return Ok(());
        }
        self.comparison()
    }

    fn field(&mut self) -> Result<Field, String> {
        let col = self.column();
        let Some(Tok::Word(name)) = self.peek().cloned() else {
            return Err(format!("expected a field name at column {col}"));
        };
        self.pos += 1;
        self.fields.iter().find(|f| f.name == name).copied().ok_or_else(|| {
            let known: Vec<String> = self
                .fields
                .iter()
                .map(|f| format!("{} ({})", f.name, f.ops.join(" ")))
                .collect();
            format!(
                "`{name}` (column {col}) is not a filterable field of this operation; it filters on: {}",
                known.join(", ")
            )
        })
    }

    fn allow(field: &Field, op: &str, col: usize) -> Result<(), String> {
        if field.ops.contains(&op) {
            Ok(())
        } else {
            Err(format!(
                "`{}` does not support `{op}` (column {col}); its operators are: {}",
                field.name,
                field.ops.join(", ")
            ))
        }
    }

    fn comparison(&mut self) -> Result<(), String> {
        if self.keyword("pr") {
            let col = self.column();
            self.pos += 1;
            let field = self.field()?;
            return Self::allow(&field, "pr", col);
        }
        let field = self.field()?;
        let col = self.column();
        let op = match self.peek() {
            Some(Tok::Word(w)) => w.to_ascii_lowercase(),
            _ => {
                return Err(format!(
                    "expected an operator after `{}` at column {col}",
                    field.name
                ))
            }
        };
        self.pos += 1;
        if op == "isnull" {
            return Self::allow(&field, "isnull", col);
        }
        if !OPERATORS.contains(&op.as_str()) {
            return Err(format!("`{op}` (column {col}) is not a filter operator"));
        }
        Self::allow(&field, &op, col)?;
        if op == "in" || op == "ca" {
            if self.peek() != Some(&Tok::Open) {
                return Err(format!(
                    "`{op}` takes a list such as (\"a\",\"b\") at column {}",
                    self.column()
                ));
            }
            self.pos += 1;
            loop {
                self.value(&field)?;
                match self.peek() {
                    Some(Tok::Comma) => self.pos += 1,
                    Some(Tok::Close) => {
                        self.pos += 1;
                        return Ok(());
                    }
                    _ => return Err(format!("expected `,` or `)` at column {}", self.column())),
                }
            }
        }
        self.value(&field)
    }

    fn value(&mut self, field: &Field) -> Result<(), String> {
        let col = self.column();
        let tok = self.peek().cloned();
        self.pos += 1;
        let ok = match (field.ty, &tok) {
            (Value::String, Some(Tok::Str(_))) => true,
            (Value::Boolean, Some(Tok::Word(w))) => w == "true" || w == "false",
            (Value::Integer, Some(Tok::Word(w))) => w.parse::<i64>().is_ok(),
            (Value::Number, Some(Tok::Word(w))) => w.parse::<f64>().is_ok_and(f64::is_finite),
            (Value::DateTime, Some(Tok::Word(w) | Tok::Str(w))) => {
                chrono::DateTime::parse_from_rfc3339(w).is_ok()
            }
            _ => false,
        };
        if ok {
            return Ok(());
        }
        let found = match tok {
            None => "the end of the filter".to_owned(),
            Some(Tok::Str(s)) => format!("\"{s}\""),
            Some(Tok::Word(w)) => format!("`{w}`"),
            Some(Tok::Open) => "`(`".into(),
            Some(Tok::Close) => "`)`".into(),
            Some(Tok::Comma) => "`,`".into(),
        };
        let hint = match field.ty {
            Value::String => " (strings are in double quotes)",
            Value::DateTime => " such as 2026-01-31T12:00:00Z",
            _ => "",
        };
        Err(format!(
            "`{}` compares with a {}{hint}, found {found} at column {col}",
            field.name,
            field.ty.name()
        ))
    }
}

/// Checks a filter expression against the documented `fields`.
pub fn check(text: &str, fields: &[Field]) -> Result<(), String> {
    let mut p = Parser {
        toks: tokens(text)?,
        pos: 0,
        fields,
    };
    if p.toks.is_empty() {
        return Err("the filter is empty".into());
    }
    p.or()?;
    if p.pos < p.toks.len() {
        return Err(format!("unexpected text at column {}", p.column()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[Field] = &[
        Field {
            name: "name",
            ty: Value::String,
            ops: &["eq", "sw", "isnull", "pr"],
        },
        Field {
            name: "source.id",
            ty: Value::String,
            ops: &["eq", "in"],
        },
        Field {
            name: "created",
            ty: Value::DateTime,
            ops: &["gt", "lt"],
        },
        Field {
            name: "manuallyEdited",
            ty: Value::Boolean,
            ops: &["eq"],
        },
    ];

    #[test]
    fn documented_expressions_pass() {
        for ok in [
            r#"name sw "svc" and source.id eq "x""#,
            r#"(name eq "a\"b" or not name isnull) and pr name"#,
            r#"source.id in ("a","b") and created gt 2026-01-01T00:00:00Z"#,
            r#"manuallyEdited eq true"#,
        ] {
            assert_eq!(check(ok, FIELDS), Ok(()), "{ok}");
        }
    }

    #[test]
    fn undocumented_fields_operators_and_values_are_refused() {
        let e = check(r#"owner eq "x""#, FIELDS).unwrap_err();
        assert!(
            e.contains("`owner`") && e.contains("source.id (eq in)"),
            "{e}"
        );
        let e = check(r#"source.id sw "x""#, FIELDS).unwrap_err();
        assert!(e.contains("its operators are: eq, in"), "{e}");
        let e = check("name eq svc", FIELDS).unwrap_err();
        assert!(e.contains("double quotes"), "{e}");
        assert!(check(r#"created gt "yesterday""#, FIELDS).is_err());
        assert!(check(r#"name eq "x" and"#, FIELDS).is_err());
        assert!(check(r#"(name eq "x""#, FIELDS).is_err());
    }

    #[test]
    fn sort_fields_are_checked() {
        assert_eq!(check_sort("-created,name", &["name", "created"]), Ok(()));
        let e = check_sort("-owner", &["name", "created"]).unwrap_err();
        assert!(e.contains("it sorts by: name, created"), "{e}");
    }
}
