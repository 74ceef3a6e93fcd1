//! The rules that keep received models lossless and declare seen fields.

use serde_json::{Map, Value, json};

use super::*;

fn overlay(properties: Value) -> Value {
    json!({
        "info": {}, "servers": [], "operations": {}, "schemas": {}, "paths": {},
        "security_schemes": {}, "tags": {}, "keep_tags": [], "from_search_file": [],
        "error_responses": {}, "schema_names": { "Up.Form": "Form" }, "schema_docs": {},
        "extra_schemas": { "Up.Form": "Form" },
        "properties": properties,
    })
}

fn components() -> Map<String, Value> {
    json!({
        "Payment": { "type": "object", "properties": { "id": { "type": "integer" }, "order": { "$ref": "#/components/schemas/Order" } } },
        "Order": { "type": "object", "properties": { "id": { "type": "integer" } } },
        "Form": { "type": "object", "properties": { "title": { "type": "string" } } },
        "Body": { "type": "object", "properties": { "amount": { "type": "integer" } } },
        "State": { "type": "string", "enum": ["A"] },
    })
    .as_object()
    .cloned()
    .unwrap()
}

fn paths() -> Map<String, Value> {
    json!({
        "/p": { "post": {
            "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Body" } } } },
            "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Payment" } } } } },
        } },
    })
    .as_object()
    .cloned()
    .unwrap()
}

#[test]
fn received_models_keep_undeclared_fields_and_sent_ones_stay_closed() {
    let raw = overlay(json!({}));
    let overlay = Overlay::new(&raw).unwrap();
    let mut components = components();
    keep_undeclared_fields(&mut components, &paths(), &overlay).unwrap();
    for name in ["Payment", "Order", "Form"] {
        assert_eq!(
            components[name]["additionalProperties"],
            json!({}),
            "{name}"
        );
    }
    assert!(components["Body"].get("additionalProperties").is_none());
    assert!(components["State"].get("additionalProperties").is_none());
}

#[test]
fn a_model_both_sent_and_received_keeps_undeclared_fields() {
    let raw = overlay(json!({}));
    let overlay = Overlay::new(&raw).unwrap();
    let mut components = components();
    let mut paths = paths();
    paths["/p"]["post"]["requestBody"]["content"]["application/json"]["schema"] =
        json!({ "$ref": "#/components/schemas/Order" });
    keep_undeclared_fields(&mut components, &paths, &overlay).unwrap();
    assert_eq!(components["Order"]["additionalProperties"], json!({}));
    // The model that is only sent is no longer referenced, and stays closed.
    assert!(components["Body"].get("additionalProperties").is_none());
}

#[test]
fn seen_fields_are_declared_with_their_doc_and_never_shadow_upstream() {
    let raw = overlay(json!({
        "$comment": "ignored",
        "Order": { "formName": { "type": "string", "description": "Seen in sample 41." } },
    }));
    let overlay = Overlay::new(&raw).unwrap();
    let mut components = components();
    declare_seen_fields(&mut components, &overlay).unwrap();
    assert_eq!(
        components["Order"]["properties"]["formName"]["description"],
        "Seen in sample 41."
    );

    let raw = self::overlay(json!({ "Order": { "id": { "type": "string", "description": "d" } } }));
    let overlay = Overlay::new(&raw).unwrap();
    let error = declare_seen_fields(&mut components, &overlay).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("upstream now declares `Order.id`"),
        "{error}"
    );

    let raw = self::overlay(json!({ "Order": { "isCanceled": { "type": "boolean" } } }));
    let overlay = Overlay::new(&raw).unwrap();
    let error = declare_seen_fields(&mut components, &overlay).unwrap_err();
    assert!(error.to_string().contains("needs a description"), "{error}");

    let raw =
        self::overlay(json!({ "Nowhere": { "x": { "type": "boolean", "description": "d" } } }));
    let overlay = Overlay::new(&raw).unwrap();
    assert!(declare_seen_fields(&mut components, &overlay).is_err());
}

#[test]
fn privileges_and_roles_are_read_from_the_description() {
    let text = "Lists.<br/><br/><b>Your token must have one of these roles : </b><br/>FormAdmin<br/>OrganizationAdmin<br/><br/>If you are...<br/><br/><b>Your clientId must be allowed all of those privileges : </b> <br/> AccessTransactions<br/><br/>";
    assert_eq!(names_after(text, "privil"), ["AccessTransactions"]);
    assert_eq!(
        names_after(text, "les : </b>"),
        ["FormAdmin", "OrganizationAdmin"]
    );
    assert!(names_after("No list here.", "privil").is_empty());
}

#[test]
fn enum_values_are_added_once_with_their_source() {
    let mut components = components();
    let with = |values: Value| {
        let mut o = overlay(json!({}));
        o["enum_values"] = values;
        o
    };
    let raw = with(json!({ "State": { "B": "a newer SDK" } }));
    add_enum_values(&mut components, &Overlay::new(&raw).unwrap()).unwrap();
    assert_eq!(components["State"]["enum"], json!(["A", "B"]));
    let again = with(json!({ "State": { "A": "a newer SDK" } }));
    let err = add_enum_values(&mut components, &Overlay::new(&again).unwrap()).unwrap_err();
    assert!(err.to_string().contains("upstream now lists"), "{err}");
    let unsourced = with(json!({ "State": { "C": "" } }));
    assert!(add_enum_values(&mut components, &Overlay::new(&unsourced).unwrap()).is_err());
}
