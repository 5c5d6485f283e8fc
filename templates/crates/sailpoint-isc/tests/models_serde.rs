//! The models' written-out `Serialize` and `Deserialize` impls (issue 13
//! part 5: cheaper to compile than serde's derives) against serde's derive.
//!
//! Each mirror below is what the generator used to emit: the same fields
//! with the derive and the `#[serde(...)]` attributes it had. Every input is
//! decoded by both and must give the same value or the same error message
//! (with its position); every value is encoded by both and must give the
//! same JSON text, key order included.

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
