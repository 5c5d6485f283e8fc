//! Names users meet at the point of use (issue 21 point 5): a shared error
//! enum is named for every operation sharing it, and the catch-all of unknown
//! enum values has one name on every enum, which no wire value can take.

use generator::ir::{Api, TypeKind};
use generator::{lower, parse, LowerSettings};

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /v1/things:
    get:
      operationId: listThingsV1
      tags: [Things]
      x-sdk-experimental: true
      responses:
        "200": {description: ok, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Thing"}}}}}
        "400": {$ref: "#/components/responses/Bad"}
        "404": {$ref: "#/components/responses/Missing"}
  /v2/things/{id}:
    get:
      operationId: getThingV2
      tags: [Things]
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "400": {$ref: "#/components/responses/Bad"}
        "404": {$ref: "#/components/responses/Missing"}
  /v2/things:
    post:
      operationId: createThingV2
      tags: [Things]
      responses:
        "201": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}}
        "400": {$ref: "#/components/responses/Bad"}
components:
  responses:
    Bad: {description: bad, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
    Missing: {description: missing, content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}}
  schemas:
    Problem: {type: object, properties: {detail: {type: string}}}
    Thing:
      type: object
      properties:
        risk: {$ref: "#/components/schemas/Risk"}
        sanctioned: {$ref: "#/components/schemas/Sanctioned"}
    Risk: {type: string, enum: [LOW, HIGH]}
    Sanctioned: {type: string, enum: [SANCTIONED, UNKNOWN, unknown, UNKNOWN_VALUE]}
"##;

fn api() -> Api {
    let (spec, _) = parse(SPEC).expect("parses");
    lower(&spec, &LowerSettings::default()).expect("lowers").api
}

#[test]
fn a_shared_error_enum_is_named_for_all_its_operations_not_for_one() {
    let api = api();
    let ops = &api.tags[0].operations;
    let get = ops.iter().find(|o| o.id.wire == "getThingV2").unwrap();
    let list = ops.iter().find(|o| o.id.wire == "listThingsV1").unwrap();
    let create = ops.iter().find(|o| o.id.wire == "createThingV2").unwrap();
    // The GA v2 get and the experimental v1 list document the same errors:
    // their enum is named after the tag and the statuses, not after either.
    assert_eq!(get.error_enum, "ThingsError400_404");
    assert_eq!(list.error_enum, get.error_enum);
    assert!(get.shares_error_enum());
    for op in ops {
        assert_ne!(get.error_enum, op.error_type(), "{}", op.id.wire);
    }
    // An operation sharing with none keeps its own `{Op}Error`.
    assert_eq!(create.error_enum, "CreateThingV2Error");
    assert!(!create.shares_error_enum());
}

#[test]
fn every_enum_has_the_same_catch_all_and_no_wire_value_takes_it() {
    let api = api();
    let variants = |name: &str| {
        let def = api.types.values().find(|t| t.name.rust == name).unwrap();
        match &def.kind {
            TypeKind::Enum(e) => e.clone(),
            other => panic!("{other:?}"),
        }
    };
    let risk = variants("Risk");
    let sanctioned = variants("Sanctioned");
    assert_eq!(risk.unknown, "Unknown");
    assert_eq!(sanctioned.unknown, "Unknown");
    let rust: Vec<&str> = sanctioned
        .variants
        .iter()
        .map(|v| v.rust.as_str())
        .collect();
    assert_eq!(
        rust,
        ["Sanctioned", "Unknown_", "Unknown_2", "UnknownValue"]
    );
}
