//! The models' written-out `Serialize` and `Deserialize` impls (issue 13
//! part 5: cheaper to compile than serde's derives) against serde's derive.
//!
//! Each mirror below is what the generator used to emit: the same fields
//! with the derive and the `#[serde(...)]` attributes it had. Every input is
//! decoded by both and must give the same value or the same error message
//! (with its position); every value is encoded by both and must give the
//! same JSON text, key order included.
//!
//! Beyond the hand-written cases, `differential_*` generates thousands of
//! documents per model from a fixed seed (valid, incomplete, mistyped,
//! repeated, escaped, truncated, with unknown nested properties) and
//! compares both impls in JSON, YAML, RON and MessagePack, and flattened
//! into a user's struct beside a catch-all map.

use sailpoint_isc::models::{BaseReferenceDto, TaskDefinitionSummary, TaskStatusMessage};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// What the derive made of each model, under the model's own name (the
/// derive's error messages name the struct).
mod derived {
    use sailpoint_isc::models::{
        DtoType, LocalizedMessage, TaskMessageParameter, TaskStatusMessageType,
    };
    use serde::{Deserialize, Serialize};
    use serde_json::{Map, Value};

    /// Required fields, two of them nullable (always sent, `null` when empty).
    #[derive(Debug, Serialize, Deserialize)]
    pub struct TaskDefinitionSummary {
        pub id: String,
        #[serde(rename = "uniqueName")]
        pub unique_name: String,
        #[serde(default)]
        pub description: Option<String>,
        #[serde(rename = "parentName")]
        pub parent_name: String,
        #[serde(default)]
        pub executor: Option<String>,
        pub arguments: Map<String, Value>,
    }

    /// A keyword field, an enum, nested models.
    #[derive(Debug, Serialize, Deserialize)]
    pub struct TaskStatusMessage {
        pub r#type: TaskStatusMessageType,
        #[serde(rename = "localizedText", default)]
        pub localized_text: Option<LocalizedMessage>,
        pub key: String,
        #[serde(default)]
        pub parameters: Option<Vec<TaskMessageParameter>>,
    }

    /// Every field optional and left out when empty.
    #[derive(Debug, Serialize, Deserialize)]
    pub struct BaseReferenceDto {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub r#type: Option<DtoType>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub id: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub name: Option<String>,
    }
}

/// Decodes `input` as both types: the same JSON back out, or the same error.
fn same_decoding<Ours, Derived>(input: &str)
where
    Ours: DeserializeOwned + Serialize + std::fmt::Debug,
    Derived: DeserializeOwned + Serialize + std::fmt::Debug,
{
    let ours = serde_json::from_str::<Ours>(input);
    let derived = serde_json::from_str::<Derived>(input);
    match (ours, derived) {
        (Ok(ours), Ok(derived)) => assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&derived).unwrap(),
            "input {input}"
        ),
        (Err(ours), Err(derived)) => {
            assert_eq!(ours.to_string(), derived.to_string(), "input {input}")
        }
        (ours, derived) => panic!("input {input}: ours {ours:?}, the derive's {derived:?}"),
    }
}

#[test]
fn required_and_nullable_fields_decode_and_encode_as_the_derive() {
    let cases = [
        // Complete, with every nullable field set.
        r#"{"id":"1","uniqueName":"u","description":"d","parentName":"p","executor":"e","arguments":{"a":1}}"#,
        // Nullable fields null, and missing.
        r#"{"id":"1","uniqueName":"u","description":null,"parentName":"p","executor":null,"arguments":{}}"#,
        r#"{"id":"1","uniqueName":"u","parentName":"p","arguments":{}}"#,
        // Unknown properties are ignored, whatever their value.
        r#"{"x":[1,{"y":null}],"id":"1","uniqueName":"u","parentName":"p","arguments":{},"z":"q"}"#,
        // Keys in any order, with escapes.
        r#"{"arguments":{},"parentName":"p","unique\u004eame":"u","id":"1"}"#,
        // A missing required field: the first one the derive names.
        r#"{"uniqueName":"u","parentName":"p","arguments":{}}"#,
        r#"{"id":"1","uniqueName":"u","parentName":"p"}"#,
        r#"{}"#,
        // A required field that is null.
        r#"{"id":null,"uniqueName":"u","parentName":"p","arguments":{}}"#,
        // A repeated property, required or not.
        r#"{"id":"1","id":"2","uniqueName":"u","parentName":"p","arguments":{}}"#,
        r#"{"id":"1","executor":null,"executor":"e","uniqueName":"u","parentName":"p","arguments":{}}"#,
        // Wrong types, and not an object.
        r#"{"id":1,"uniqueName":"u","parentName":"p","arguments":{}}"#,
        r#""text""#,
        r#"null"#,
        r#"{"id":"1","uniqueName":"u""#,
    ];
    for input in cases {
        same_decoding::<TaskDefinitionSummary, derived::TaskDefinitionSummary>(input);
    }
}

#[test]
fn enums_and_nested_models_decode_and_encode_as_the_derive() {
    let cases = [
        r#"{"type":"INFO","localizedText":{"locale":"en","message":"m"},"key":"k","parameters":[{"name":"n"}]}"#,
        r#"{"type":"SOMETHING_NEW","localizedText":null,"key":"k","parameters":null}"#,
        r#"{"type":"WARN","key":"k"}"#,
        r#"{"key":"k"}"#,
        r#"{"type":"INFO","localizedText":{"locale":5},"key":"k"}"#,
    ];
    for input in cases {
        same_decoding::<TaskStatusMessage, derived::TaskStatusMessage>(input);
    }
}

#[test]
fn optional_fields_are_left_out_as_the_derive_leaves_them_out() {
    let cases = [
        r#"{"type":"IDENTITY","id":"1","name":"n"}"#,
        r#"{"type":null,"id":null}"#,
        r#"{"name":"n"}"#,
        r#"{}"#,
        r#"{"name":"n","name":"m"}"#,
    ];
    for input in cases {
        same_decoding::<BaseReferenceDto, derived::BaseReferenceDto>(input);
    }
    // Empty fields are not sent at all.
    let empty = serde_json::to_string(&BaseReferenceDto::default()).unwrap();
    assert_eq!(empty, "{}");
}

/// The one difference from the derive, on purpose: a JSON array is not taken
/// for a struct's fields in order (no API sends that).
#[test]
fn an_array_is_not_a_struct() {
    let input = r#"["1","u",null,"p",null,{}]"#;
    assert!(serde_json::from_str::<derived::TaskDefinitionSummary>(input).is_ok());
    let err = serde_json::from_str::<TaskDefinitionSummary>(input).unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid type: sequence, expected struct TaskDefinitionSummary"),
        "{err}"
    );
}

/// The shape of a property, for generating documents.
#[derive(Clone, Copy)]
enum Kind {
    Str,
    /// One of these strings (an enum's values, and one it does not know).
    Enum(&'static [&'static str]),
    /// A free-form object.
    Object,
    /// A `LocalizedMessage`.
    Localized,
    /// An array of `TaskMessageParameter`s.
    Parameters,
}

/// One generated document: JSON text with random key order, escapes,
/// unknown properties, repeats, nulls and wrong types; sometimes cut short.
struct Gen {
    rng: fastrand::Rng,
}

impl Gen {
    fn string(&mut self, out: &mut String, text: &str) {
        out.push('"');
        for c in text.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_ascii_alphabetic() && self.rng.u8(..) < 8 => {
                    out.push_str(&format!("\\u{:04x}", c as u32))
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }

    fn word(&mut self) -> String {
        let words = [
            "a",
            "id",
            "name",
            "Ünï",
            "x y",
            "q\"uote",
            "back\\slash",
            "",
            "KEY",
        ];
        words[self.rng.usize(..words.len())].to_string()
    }

    /// Any JSON value, nested up to `depth`; inside unknown properties it
    /// may hold a lone surrogate, which only a full parse rejects.
    fn any(&mut self, out: &mut String, depth: u32) {
        match self.rng.u8(..if depth == 0 { 6 } else { 8 }) {
            0 => out.push_str("null"),
            1 => out.push_str(if self.rng.bool() { "true" } else { "false" }),
            2 => out.push_str(&self.rng.i64(-1000..1000).to_string()),
            3 => out.push_str("1.5e3"),
            4 => out.push_str("\"\\udc00\""),
            5 => {
                let w = self.word();
                self.string(out, &w)
            }
            6 => {
                out.push('[');
                for i in 0..self.rng.usize(..3) {
                    if i > 0 {
                        out.push(',');
                    }
                    self.any(out, depth - 1);
                }
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..self.rng.usize(..3) {
                    if i > 0 {
                        out.push(',');
                    }
                    let w = self.word();
                    self.string(out, &w);
                    out.push(':');
                    self.any(out, depth - 1);
                }
                out.push('}');
            }
        }
    }

    fn value(&mut self, out: &mut String, kind: Kind) {
        // Mostly the right type; sometimes null or anything at all.
        match self.rng.u8(..20) {
            0 => return out.push_str("null"),
            1 => return self.any(out, 2),
            _ => {}
        }
        match kind {
            Kind::Str => {
                let w = self.word();
                self.string(out, &w)
            }
            Kind::Enum(values) => {
                let v = values[self.rng.usize(..values.len())];
                self.string(out, v)
            }
            Kind::Object => self.object(out, &[]),
            Kind::Localized => {
                let fields = [("locale", Kind::Str), ("message", Kind::Str)];
                self.object(out, &fields)
            }
            Kind::Parameters => {
                out.push('[');
                for i in 0..self.rng.usize(..3) {
                    if i > 0 {
                        out.push(',');
                    }
                    if self.rng.bool() {
                        let w = self.word();
                        self.string(out, &w);
                    } else {
                        self.object(out, &[("name", Kind::Str)]);
                    }
                }
                out.push(']');
            }
        }
    }

    /// An object with (mostly) the given properties, in random order, plus
    /// unknown ones, a repeat now and then.
    fn object(&mut self, out: &mut String, fields: &[(&str, Kind)]) {
        let mut entries: Vec<(String, Option<Kind>)> = fields
            .iter()
            .filter(|_| self.rng.u8(..10) > 0)
            .map(|(name, kind)| (name.to_string(), Some(*kind)))
            .collect();
        for _ in 0..self.rng.usize(..3) {
            entries.push((self.word(), None));
        }
        if !entries.is_empty() && self.rng.u8(..30) == 0 {
            let k = self.rng.usize(..entries.len());
            entries.push(entries[k].clone());
        }
        self.rng.shuffle(&mut entries);
        out.push('{');
        for (i, (name, kind)) in entries.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            self.string(out, name);
            out.push(':');
            match kind {
                Some(kind) => self.value(out, *kind),
                None => self.any(out, 3),
            }
        }
        out.push('}');
    }

    fn document(&mut self, fields: &[(&str, Kind)]) -> String {
        let mut out = String::new();
        match self.rng.u8(..40) {
            // Not a map; but not a sequence, the one difference on purpose
            // (see `an_array_is_not_a_struct`).
            0 => {
                while out.is_empty() || out.starts_with('[') {
                    out.clear();
                    self.any(&mut out, 2);
                }
            }
            _ => self.object(&mut out, fields),
        }
        if self.rng.u8(..20) == 0 {
            let mut cut = self.rng.usize(..=out.len());
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
        }
        out
    }
}

/// A user's struct with a model flattened into it beside a catch-all map,
/// which must keep only the properties the model does not take.
#[derive(Debug, Serialize, serde::Deserialize)]
struct Flattened<T> {
    #[serde(flatten)]
    model: T,
    #[serde(flatten)]
    rest: std::collections::BTreeMap<String, serde_json::Value>,
}

/// The same result from both impls: the same JSON re-encoding, or the same
/// error message.
fn same<O: Serialize, D: Serialize, E1: std::fmt::Display, E2: std::fmt::Display>(
    what: &str,
    input: &str,
    ours: Result<O, E1>,
    derived: Result<D, E2>,
) -> Option<(O, D)> {
    match (ours, derived) {
        (Ok(ours), Ok(derived)) => {
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&derived).unwrap(),
                "{what}: input {input}"
            );
            Some((ours, derived))
        }
        (Err(ours), Err(derived)) => {
            assert_eq!(
                ours.to_string(),
                derived.to_string(),
                "{what}: input {input}"
            );
            None
        }
        (Ok(_), Err(e)) => panic!("{what}: input {input}: ours decodes, the derive's fails: {e}"),
        (Err(e), Ok(_)) => panic!("{what}: input {input}: the derive's decodes, ours fails: {e}"),
    }
}

/// Generates `count` documents for one model and checks both impls agree
/// on each, in every format; returns how many decoded, so that a test can
/// check that the generator reaches both outcomes.
fn differential<Ours, Derived>(seed: u64, count: usize, fields: &[(&str, Kind)]) -> (usize, usize)
where
    Ours: DeserializeOwned + Serialize + std::fmt::Debug,
    Derived: DeserializeOwned + Serialize + std::fmt::Debug,
{
    let mut gen = Gen {
        rng: fastrand::Rng::with_seed(seed),
    };
    let (mut decoded, mut failed) = (0, 0);
    for _ in 0..count {
        let input = gen.document(fields);
        // JSON, and the same text as YAML (a superset of JSON).
        let json = same(
            "json",
            &input,
            serde_json::from_str::<Ours>(&input),
            serde_json::from_str::<Derived>(&input),
        );
        same(
            "yaml",
            &input,
            serde_yaml::from_str::<Ours>(&input),
            serde_yaml::from_str::<Derived>(&input),
        );
        // Flattened into a user's struct beside a catch-all map.
        if let Some((ours, derived)) = same(
            "flatten",
            &input,
            serde_json::from_str::<Flattened<Ours>>(&input),
            serde_json::from_str::<Flattened<Derived>>(&input),
        ) {
            assert_eq!(
                serde_json::to_string(&ours).unwrap(),
                serde_json::to_string(&derived).unwrap(),
                "flatten: input {input}"
            );
        }
        // The document as a generic value, in MessagePack and RON.
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&input) {
            let msgpack = rmp_serde::to_vec_named(&value).unwrap();
            same(
                "msgpack",
                &input,
                rmp_serde::from_slice::<Ours>(&msgpack),
                rmp_serde::from_slice::<Derived>(&msgpack),
            );
        }
        let Some((ours, derived)) = json else {
            failed += 1;
            continue;
        };
        decoded += 1;
        // A decoded value encodes to the same bytes in every format, and
        // reads back the same from them.
        let ron_ours = ron::to_string(&ours).unwrap();
        assert_eq!(
            ron_ours,
            ron::to_string(&derived).unwrap(),
            "ron: input {input}"
        );
        same(
            "ron round trip",
            &ron_ours,
            ron::from_str::<Ours>(&ron_ours),
            ron::from_str::<Derived>(&ron_ours),
        )
        .expect("RON reads back what it wrote");
        let yaml_ours = serde_yaml::to_string(&ours).unwrap();
        assert_eq!(
            yaml_ours,
            serde_yaml::to_string(&derived).unwrap(),
            "yaml: input {input}"
        );
        same(
            "yaml round trip",
            &yaml_ours,
            serde_yaml::from_str::<Ours>(&yaml_ours),
            serde_yaml::from_str::<Derived>(&yaml_ours),
        )
        .expect("YAML reads back what it wrote");
        for (name, ours_bytes, derived_bytes) in [
            (
                "msgpack named",
                rmp_serde::to_vec_named(&ours),
                rmp_serde::to_vec_named(&derived),
            ),
            (
                "msgpack compact",
                rmp_serde::to_vec(&ours),
                rmp_serde::to_vec(&derived),
            ),
        ] {
            let ours_bytes = ours_bytes.unwrap();
            assert_eq!(ours_bytes, derived_bytes.unwrap(), "{name}: input {input}");
            if name == "msgpack named" {
                same(
                    name,
                    &input,
                    rmp_serde::from_slice::<Ours>(&ours_bytes),
                    rmp_serde::from_slice::<Derived>(&ours_bytes),
                )
                .expect("MessagePack reads back what it wrote");
            }
        }
    }
    (decoded, failed)
}

const TASK_DEFINITION_SUMMARY: &[(&str, Kind)] = &[
    ("id", Kind::Str),
    ("uniqueName", Kind::Str),
    ("description", Kind::Str),
    ("parentName", Kind::Str),
    ("executor", Kind::Str),
    ("arguments", Kind::Object),
];

const TASK_STATUS_MESSAGE: &[(&str, Kind)] = &[
    (
        "type",
        Kind::Enum(&["INFO", "WARN", "ERROR", "SOMETHING_NEW"]),
    ),
    ("localizedText", Kind::Localized),
    ("key", Kind::Str),
    ("parameters", Kind::Parameters),
];

const BASE_REFERENCE_DTO: &[(&str, Kind)] = &[
    (
        "type",
        Kind::Enum(&["IDENTITY", "ACCOUNT", "SOMETHING_NEW"]),
    ),
    ("id", Kind::Str),
    ("name", Kind::Str),
];

/// Each model gets enough documents that both outcomes are common.
fn check_reaches_both((decoded, failed): (usize, usize)) {
    assert!(
        decoded > 200 && failed > 200,
        "decoded {decoded}, failed {failed}"
    );
}

#[test]
fn differential_task_definition_summary_in_every_format() {
    check_reaches_both(differential::<
        TaskDefinitionSummary,
        derived::TaskDefinitionSummary,
    >(1, 1500, TASK_DEFINITION_SUMMARY));
}

#[test]
fn differential_task_status_message_in_every_format() {
    check_reaches_both(
        differential::<TaskStatusMessage, derived::TaskStatusMessage>(2, 1500, TASK_STATUS_MESSAGE),
    );
}

#[test]
fn differential_base_reference_dto_in_every_format() {
    check_reaches_both(differential::<BaseReferenceDto, derived::BaseReferenceDto>(
        3,
        1500,
        BASE_REFERENCE_DTO,
    ));
}
