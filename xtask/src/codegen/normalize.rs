//! Turns HelloAsso's published spec into the progenitor-ready spec of `openapi/`.
//!
//! Each rule exists because progenitor (or a real HelloAsso payload) needs it;
//! the comments say why. The output is a `serde_json::Value` whose maps are
//! ordered by key, so the same inputs always serialize to the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result, anyhow, bail, ensure};
use serde_json::{Map, Value, json};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
/// The operation extension listing the privileges the caller's client id
/// must hold, as HelloAsso's description of the operation names them.
pub const PRIVILEGES_EXTENSION: &str = "x-helloasso-privileges";
/// The operation extension listing the roles one of which the token must have.
pub const ROLES_EXTENSION: &str = "x-helloasso-roles";

/// The names listed after `marker` in an upstream description: HelloAsso
/// writes `...privileges : </b> <br/> AccessTransactions<br/><br/>`, one
/// name per `<br/>`, the list ending at an empty line.
fn names_after(description: &str, marker: &str) -> Vec<String> {
    let Some(at) = description.find(marker) else {
        return Vec::new();
    };
    let rest = &description[at..];
    let Some(list) = rest.find("</b>").map(|b| &rest[b + 4..]) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    for piece in list.split("<br/>").map(str::trim) {
        if piece.is_empty() {
            if names.is_empty() {
                continue;
            }
            break;
        }
        if !piece.chars().all(|c| c.is_ascii_alphanumeric()) {
            break;
        }
        names.push(piece.to_string());
    }
    names
}
const UPSTREAM_PREFIX: &str = "#/components/schemas/";

/// The inputs of one normalization run.
pub struct Inputs<'a> {
    /// HelloAsso's newest spec.
    pub upstream: &'a Value,
    /// An older spec that still has the operations listed in the overlay's
    /// `from_search_file` (HelloAsso removed `GET .../payments/search`).
    pub search_from: &'a Value,
    /// `openapi/overlay.json`.
    pub overlay: &'a Value,
}

/// Checks what progenitor 0.15 cannot digest before any transformation, so a
/// wrong file fails with a message rather than deep inside the generator.
pub fn check_upstream(spec: &Value, what: &str) -> Result<()> {
    let version = spec.get("openapi").and_then(Value::as_str).ok_or_else(|| {
        anyhow!("{what}: no `openapi` version field; is this an OpenAPI document?")
    })?;
    ensure!(
        version.starts_with("3.0."),
        "{what}: OpenAPI {version} is not supported; progenitor needs 3.0.x"
    );
    ensure!(
        spec.get("paths").is_some_and(Value::is_object),
        "{what}: no `paths` object"
    );
    ensure!(
        spec.pointer("/components/schemas")
            .is_some_and(Value::is_object),
        "{what}: no `components.schemas` object"
    );
    Ok(())
}

/// Produces the normalized spec.
pub fn normalize(inputs: &Inputs) -> Result<Value> {
    check_upstream(inputs.upstream, "upstream spec")?;
    check_upstream(inputs.search_from, "--search-from spec")?;
    let overlay = Overlay::new(inputs.overlay)?;

    let mut schemas = SchemaSet::new(&overlay);
    let mut paths = Map::new();

    for (path, method, op) in tagged_operations(inputs.upstream, &overlay.keep_tags)? {
        let op = overlay.rewrite_operation(
            &path,
            &method,
            &op,
            inputs.upstream,
            inputs.search_from,
            &mut schemas,
        )?;
        insert_operation(
            &mut paths,
            &format!("{}{path}", overlay.prefix),
            &method,
            op,
        );
    }
    for wanted in overlay.from_search_file.clone() {
        let (method, path) = wanted;
        let op = inputs
            .search_from
            .pointer(&format!("/paths/{}/{method}", escape_pointer(&path)))
            .ok_or_else(|| anyhow!("--search-from spec has no {} {path}", method.to_uppercase()))?;
        let op = overlay.rewrite_operation(
            &path,
            &method,
            op,
            inputs.search_from,
            inputs.search_from,
            &mut schemas,
        )?;
        insert_operation(
            &mut paths,
            &format!("{}{path}", overlay.prefix),
            &method,
            op,
        );
    }
    overlay.ensure_all_operations_used()?;
    for upstream_name in overlay.extra_schemas() {
        let reference = json!({ "$ref": format!("{UPSTREAM_PREFIX}{upstream_name}") });
        schemas.adopt(&reference, inputs.upstream, "overlay extra_schemas")?;
    }

    for (path, item) in overlay.raw["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let mut op = op.clone();
            add_error_responses(&mut op, &overlay);
            insert_operation(&mut paths, path, method, op);
        }
    }

    let mut components = schemas.finish()?;
    for (name, schema) in overlay.raw["schemas"].as_object().into_iter().flatten() {
        ensure!(
            components.insert(name.clone(), schema.clone()).is_none(),
            "overlay schema {name} collides with a renamed upstream schema"
        );
    }

    declare_seen_fields(&mut components, &overlay)?;
    add_enum_values(&mut components, &overlay)?;
    keep_undeclared_fields(&mut components, &paths, &overlay)?;

    let upstream_version = inputs
        .upstream
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or("public");
    let mut info = overlay.raw["info"].clone();
    info["version"] = json!(upstream_version);

    // Two upstream tags may share one English name: list it once.
    let mut tag_seen = BTreeSet::new();
    let tags: Vec<Value> = overlay.raw["tags"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(_, t)| t.clone())
        .filter(|t| tag_seen.insert(t["name"].clone().to_string()))
        .collect();

    Ok(json!({
        "openapi": "3.0.3",
        "info": info,
        "servers": overlay.raw["servers"],
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": overlay.raw["security_schemes"],
        },
        "security": [{ "OAuth2": [] }],
    }))
}

/// Adds the overlay's `properties`: fields real payloads carry that the
/// upstream spec forgets. One upstream already declares is an error, so that
/// our wording never replaces HelloAsso's definition unnoticed.
fn declare_seen_fields(components: &mut Map<String, Value>, overlay: &Overlay) -> Result<()> {
    let Some(extra) = overlay.raw.get("properties") else {
        return Ok(());
    };
    let extra = extra
        .as_object()
        .ok_or_else(|| anyhow!("overlay: `properties` must be an object"))?;
    for (schema_name, fields) in extra.iter().filter(|(k, _)| !k.starts_with('$')) {
        let schema = components
            .get_mut(schema_name)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| {
                anyhow!("overlay `properties` names `{schema_name}`, which is not an object schema of the spec")
            })?;
        let fields = fields
            .as_object()
            .ok_or_else(|| anyhow!("overlay: `properties.{schema_name}` must be an object"))?;
        for (field, definition) in fields {
            ensure!(
                definition.get("description").is_some_and(Value::is_string),
                "overlay: `properties.{schema_name}.{field}` needs a description naming the sample that shows it"
            );
            ensure!(
                schema.insert(field.clone(), definition.clone()).is_none(),
                "upstream now declares `{schema_name}.{field}`: remove it from the overlay's `properties`"
            );
        }
    }
    Ok(())
}

/// Adds the overlay's `enum_values`: values a newer source shows that the
/// pinned spec's enums lack (each with its source). One upstream already
/// lists is an error, so the overlay can be emptied as upstream catches up.
fn add_enum_values(components: &mut Map<String, Value>, overlay: &Overlay) -> Result<()> {
    let Some(extra) = overlay.raw.get("enum_values") else {
        return Ok(());
    };
    let extra = extra
        .as_object()
        .ok_or_else(|| anyhow!("overlay: `enum_values` must be an object"))?;
    for (schema_name, values) in extra.iter().filter(|(k, _)| !k.starts_with('$')) {
        let list = components
            .get_mut(schema_name)
            .and_then(|s| s.get_mut("enum"))
            .and_then(Value::as_array_mut)
            .ok_or_else(|| {
                anyhow!(
                    "overlay `enum_values` names `{schema_name}`, which is not an enum of the spec"
                )
            })?;
        let values = values
            .as_object()
            .ok_or_else(|| anyhow!("overlay: `enum_values.{schema_name}` must be an object"))?;
        for (value, source) in values {
            ensure!(
                source.as_str().is_some_and(|s| !s.trim().is_empty()),
                "overlay: `enum_values.{schema_name}.{value}` needs its source"
            );
            ensure!(
                !list.contains(&json!(value)),
                "upstream now lists `{schema_name}::{value}`: remove it from the overlay's `enum_values`"
            );
            list.push(json!(value));
        }
    }
    Ok(())
}

/// Marks every object model a response (or a webhook) carries with
/// `additionalProperties: {}`: the generator then gives it an `extra` map that
/// keeps the keys the spec does not declare, so a decode then encode gives
/// back what HelloAsso sent. Models only ever sent (request bodies) stay
/// closed: a caller builds them, and an `extra` field would only get in the way.
/// A model both sent and received (a form's place, its contact) keeps them:
/// a read must lose nothing, and its builder starts with an empty `extra`.
fn keep_undeclared_fields(
    components: &mut Map<String, Value>,
    paths: &Map<String, Value>,
    overlay: &Overlay,
) -> Result<()> {
    let mut received = BTreeSet::new();
    for item in paths.values() {
        for op in item.as_object().into_iter().flatten().map(|(_, op)| op) {
            if let Some(responses) = op.get("responses") {
                component_refs(responses, &mut received);
            }
        }
    }
    for upstream in overlay.extra_schemas() {
        received.insert(
            overlay
                .schema_names
                .get(&upstream)
                .cloned()
                .ok_or_else(|| anyhow!("extra schema `{upstream}` has no short name"))?,
        );
    }
    let received = reachable(components, received);
    for name in &received {
        let Some(schema) = components.get_mut(name).and_then(Value::as_object_mut) else {
            continue;
        };
        if schema.contains_key("properties") && !schema.contains_key("additionalProperties") {
            schema.insert("additionalProperties".into(), json!({}));
        }
    }
    Ok(())
}

/// Names of the components `value` references directly.
fn component_refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => {
                        if let Some(name) = r.strip_prefix(UPSTREAM_PREFIX) {
                            out.insert(name.to_string());
                        }
                    }
                    _ => component_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| component_refs(v, out)),
        _ => {}
    }
}

/// `start` and every component it references, transitively.
fn reachable(components: &Map<String, Value>, start: BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = start.into_iter().collect();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let mut next = BTreeSet::new();
        if let Some(schema) = components.get(&name) {
            component_refs(schema, &mut next);
        }
        todo.extend(next);
    }
    seen
}

fn insert_operation(paths: &mut Map<String, Value>, path: &str, method: &str, op: Value) {
    let item = paths.entry(path.to_string()).or_insert_with(|| json!({}));
    item[method] = op;
}

/// JSON pointer escaping for a path key (`/` is `~1`).
fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn tagged_operations(
    spec: &Value,
    tags: &BTreeSet<String>,
) -> Result<Vec<(String, String, Value)>> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let op_tags = op["tags"].as_array().into_iter().flatten();
            if op_tags.filter_map(Value::as_str).any(|t| tags.contains(t)) {
                out.push((path.clone(), method.to_string(), op.clone()));
            }
        }
    }
    ensure!(
        !out.is_empty(),
        "upstream spec has no operation tagged {tags:?}"
    );
    Ok(out)
}

fn add_error_responses(op: &mut Value, overlay: &Overlay) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    // One error schema for every error status, or progenitor
    // panics on mixed shapes and throws away body-less answers (the MFA code).
    responses.retain(|status, _| status.starts_with('2'));
    for (status, description) in &overlay.error_responses {
        responses.insert(
            status.clone(),
            json!({
                "description": description,
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } },
            }),
        );
    }
}

/// The project's overlay, read once.
struct Overlay<'a> {
    raw: &'a Value,
    prefix: String,
    keep_tags: BTreeSet<String>,
    from_search_file: Vec<(String, String)>,
    tag_names: BTreeMap<String, String>,
    error_responses: BTreeMap<String, String>,
    schema_names: BTreeMap<String, String>,
    schema_docs: BTreeMap<String, String>,
    used_operations: std::cell::RefCell<BTreeSet<String>>,
}

impl<'a> Overlay<'a> {
    fn new(raw: &'a Value) -> Result<Self> {
        let strings = |key: &str| -> Result<BTreeMap<String, String>> {
            raw.get(key)
                .and_then(Value::as_object)
                .ok_or_else(|| anyhow!("overlay: `{key}` must be an object"))?
                .iter()
                .map(|(k, v)| {
                    let v = v
                        .as_str()
                        .ok_or_else(|| anyhow!("overlay: `{key}.{k}` must be a string"))?;
                    Ok((k.clone(), v.to_string()))
                })
                .collect()
        };
        for key in [
            "info",
            "servers",
            "operations",
            "schemas",
            "paths",
            "security_schemes",
            "tags",
        ] {
            ensure!(raw.get(key).is_some(), "overlay: missing `{key}`");
        }
        let keep_tags = raw["keep_tags"]
            .as_array()
            .ok_or_else(|| anyhow!("overlay: `keep_tags` must be a list"))?
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let from_search_file = raw["from_search_file"]
            .as_array()
            .ok_or_else(|| anyhow!("overlay: `from_search_file` must be a list"))?
            .iter()
            .map(|o| {
                let m = o["method"]
                    .as_str()
                    .context("overlay: from_search_file.method")?;
                let p = o["path"]
                    .as_str()
                    .context("overlay: from_search_file.path")?;
                Ok((m.to_string(), p.to_string()))
            })
            .collect::<Result<_>>()?;
        let tag_names = raw["tags"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v["name"].as_str().unwrap_or(k).to_string()))
            .collect();
        Ok(Self {
            raw,
            prefix: raw["api_prefix"].as_str().unwrap_or("").to_string(),
            keep_tags,
            from_search_file,
            tag_names,
            error_responses: strings("error_responses")?,
            schema_names: strings("schema_names")?,
            schema_docs: strings("schema_docs")?,
            used_operations: Default::default(),
        })
    }

    /// Upstream models kept although no kept operation returns them.
    fn extra_schemas(&self) -> Vec<String> {
        self.raw["extra_schemas"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !k.starts_with('$'))
            .map(|(k, _)| k.clone())
            .collect()
    }

    fn ensure_all_operations_used(&self) -> Result<()> {
        let used = self.used_operations.borrow();
        for key in self.raw["operations"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            ensure!(
                used.contains(key),
                "overlay describes `{key}`, which neither upstream file has (renamed upstream?)"
            );
        }
        Ok(())
    }

    /// Rewrites one upstream operation: our operationId and docs, one JSON body,
    /// one JSON success response, the shared error schema, widened integers.
    ///
    /// A parameter the overlay documents but `source` lacks is taken from the
    /// same operation in `older` (HelloAsso's newest file dropped `withCount`
    /// from the payment listings, which the server still honours).
    fn rewrite_operation(
        &self,
        path: &str,
        method: &str,
        op: &Value,
        source: &Value,
        older: &Value,
        schemas: &mut SchemaSet,
    ) -> Result<Value> {
        let key = format!("{} {path}", method.to_uppercase());
        let doc = self.raw["operations"].get(&key).ok_or_else(|| {
            anyhow!("upstream operation `{key}` has no entry in openapi/overlay.json `operations` (it needs an operationId)")
        })?;
        self.used_operations.borrow_mut().insert(key.clone());
        let operation_id = doc["operationId"]
            .as_str()
            .ok_or_else(|| anyhow!("overlay: `{key}` has no operationId"))?;

        let mut out = Map::new();
        out.insert("operationId".into(), json!(operation_id));
        for field in ["summary", "description"] {
            if let Some(text) = doc.get(field) {
                out.insert(field.into(), text.clone());
            }
        }
        // The privileges and roles HelloAsso's description names are facts
        // a client needs (a 403 can say what is missing); its prose is not
        // kept, only the names.
        let upstream_text = op["description"].as_str().unwrap_or_default();
        for (extension, marker) in [
            (PRIVILEGES_EXTENSION, "privil"),
            (ROLES_EXTENSION, "les : </b>"),
        ] {
            let names = names_after(upstream_text, marker);
            if !names.is_empty() {
                out.insert(extension.into(), json!(names));
            }
        }
        let tags: Vec<Value> = op["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|t| json!(self.tag_names.get(t).map(String::as_str).unwrap_or(t)))
            .collect();
        out.insert("tags".into(), Value::Array(tags));

        let param_docs = doc["parameters"].as_object().cloned().unwrap_or_default();
        let mut documented = BTreeSet::new();
        let mut params = Vec::new();
        let own: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
        let has = |name: &str| own.iter().any(|p| p["name"] == name);
        let from_older = older
            .pointer(&format!(
                "/paths/{}/{method}/parameters",
                escape_pointer(path)
            ))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| {
                p["name"]
                    .as_str()
                    .is_some_and(|n| param_docs.contains_key(n) && !has(n))
            });
        let candidates = own
            .iter()
            .map(|p| (*p, source))
            .chain(from_older.map(|p| (p, older)));
        for (param, source) in candidates {
            let name = param["name"]
                .as_str()
                .ok_or_else(|| anyhow!("{key}: a parameter has no name"))?;
            let mut p = Map::new();
            for field in ["name", "in", "required", "style", "explode"] {
                if let Some(v) = param.get(field) {
                    p.insert(field.into(), v.clone());
                }
            }
            if let Some(text) = param_docs.get(name) {
                p.insert("description".into(), text.clone());
                documented.insert(name.to_string());
            }
            let schema = param
                .get("schema")
                .ok_or_else(|| anyhow!("{key}: parameter {name} has no schema"))?;
            p.insert("schema".into(), schemas.adopt(schema, source, &key)?);
            params.push(Value::Object(p));
        }
        for name in param_docs.keys() {
            ensure!(
                documented.contains(name),
                "overlay documents parameter `{name}` of `{key}`, which neither upstream file has"
            );
        }
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }

        if let Some(body) = op.get("requestBody") {
            // progenitor takes one request media type, without `encoding`.
            let schema = body
                .pointer("/content/application~1json/schema")
                .ok_or_else(|| anyhow!("{key}: request body has no application/json schema"))?;
            out.insert(
                "requestBody".into(),
                json!({
                    "required": body.get("required").cloned().unwrap_or(json!(true)),
                    "content": { "application/json": { "schema": schemas.adopt(schema, source, &key)? } },
                }),
            );
        }

        let mut responses = Map::new();
        let files = doc.get("file_media_types").and_then(Value::as_array);
        // HelloAsso's file omits the schema of some listings (items).
        let fallback = doc
            .get("response_schema")
            .and_then(Value::as_str)
            .map(|name| json!({ "$ref": format!("{UPSTREAM_PREFIX}{name}") }));
        for (status, response) in op["responses"].as_object().into_iter().flatten() {
            if !status.starts_with('2') {
                continue;
            }
            let mut r = json!({ "description": "Success." });
            if let Some(types) = files {
                // A file answer: progenitor hands the body over as a byte
                // stream when no JSON media type is declared.
                let mut content = Map::new();
                for media in types.iter().filter_map(Value::as_str) {
                    content.insert(
                        media.to_string(),
                        json!({ "schema": { "type": "string", "format": "binary" } }),
                    );
                }
                ensure!(
                    !content.is_empty(),
                    "overlay: `{key}` lists no file media type"
                );
                r["content"] = Value::Object(content);
            } else if let Some(schema) = response
                .pointer("/content/application~1json/schema")
                .or(fallback.as_ref())
            {
                // One JSON media type per response. CSV and XLSX
                // exports answer the same path by `Accept`; the facade streams them.
                r["content"] = json!({ "application/json": { "schema": schemas.adopt(schema, source, &key)? } });
            }
            responses.insert(status.clone(), r);
        }
        ensure!(!responses.is_empty(), "{key}: no success response");
        out.insert("responses".into(), Value::Object(responses));
        let mut out = Value::Object(out);
        add_error_responses(&mut out, self);
        Ok(out)
    }
}

/// The component schemas reached by the kept operations, renamed and cleaned.
struct SchemaSet<'a> {
    overlay: &'a Overlay<'a>,
    /// short name -> (cleaned schema, upstream name it came from)
    done: BTreeMap<String, (Value, String)>,
}

impl<'a> SchemaSet<'a> {
    fn new(overlay: &'a Overlay<'a>) -> Self {
        Self {
            overlay,
            done: BTreeMap::new(),
        }
    }

    /// Cleans an inline schema and brings every component it references.
    fn adopt(&mut self, schema: &Value, source: &Value, context: &str) -> Result<Value> {
        let mut refs = Vec::new();
        let cleaned = self.clean(schema, &mut refs, context)?;
        let mut seen = BTreeSet::new();
        while let Some(upstream_name) = refs.pop() {
            if !seen.insert(upstream_name.clone()) {
                continue;
            }
            let short = self.short_name(&upstream_name, context)?;
            let raw = source
                .pointer(&format!(
                    "/components/schemas/{}",
                    escape_pointer(&upstream_name)
                ))
                .ok_or_else(|| anyhow!("{context}: reference to missing schema {upstream_name}"))?;
            let mut inner_refs = Vec::new();
            let mut cleaned = self.clean(raw, &mut inner_refs, &upstream_name)?;
            let doc = self.overlay.schema_docs.get(&short).ok_or_else(|| {
                anyhow!("schema `{short}` has no English doc in openapi/overlay.json `schema_docs`")
            })?;
            cleaned["description"] = json!(doc);
            self.merge(short, cleaned, upstream_name)?;
            refs.extend(inner_refs);
        }
        Ok(cleaned)
    }

    fn short_name(&self, upstream: &str, context: &str) -> Result<String> {
        self.overlay.schema_names.get(upstream).cloned().ok_or_else(|| {
            anyhow!("{context}: schema `{upstream}` has no short name in openapi/overlay.json `schema_names`")
        })
    }

    /// Two upstream files may carry the same model under different namespaces;
    /// they share one short name only if they agree (enums: the union of values,
    /// since HelloAsso's enum lists only ever grow).
    fn merge(&mut self, short: String, schema: Value, upstream: String) -> Result<()> {
        match self.done.get_mut(&short) {
            None => {
                self.done.insert(short, (schema, upstream));
            }
            Some((existing, first)) if *existing != schema => {
                if let (Some(a), Some(b)) = (
                    existing["enum"].as_array().cloned(),
                    schema["enum"].as_array(),
                ) {
                    let mut values = a;
                    for v in b {
                        if !values.contains(v) {
                            values.push(v.clone());
                        }
                    }
                    existing["enum"] = Value::Array(values);
                    return Ok(());
                }
                // An older file may know fewer properties of the same model:
                // keep them all, as long as the shared ones agree.
                let (Some(have), Some(more)) = (
                    existing
                        .get_mut("properties")
                        .and_then(Value::as_object_mut),
                    schema["properties"].as_object(),
                ) else {
                    bail!("schemas {first} and {upstream} both map to `{short}` but differ");
                };
                for (name, prop) in more {
                    match have.get(name) {
                        Some(known) if known != prop => bail!(
                            "schemas {first} and {upstream} both map to `{short}` but disagree on `{name}`"
                        ),
                        Some(_) => {}
                        None => {
                            have.insert(name.clone(), prop.clone());
                        }
                    }
                }
            }
            Some(_) => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<Map<String, Value>> {
        Ok(self.done.into_iter().map(|(k, (v, _))| (k, v)).collect())
    }

    /// Strips upstream prose and the constructs progenitor mishandles; records
    /// the upstream names of referenced components in `refs`.
    fn clean(&self, schema: &Value, refs: &mut Vec<String>, context: &str) -> Result<Value> {
        let Some(obj) = schema.as_object() else {
            return Ok(schema.clone());
        };
        let mut out = Map::new();
        for (key, value) in obj {
            match key.as_str() {
                // Upstream prose stays upstream; titles like `List<PaymentState>`
                // would also become Rust type names.
                "description" | "title" | "example" | "examples" | "summary" => {}
                // Real payloads carry undeclared fields: never close a model.
                "additionalProperties" if value == &Value::Bool(false) => {}
                "$ref" => {
                    let target = value
                        .as_str()
                        .and_then(|r| r.strip_prefix(UPSTREAM_PREFIX))
                        .ok_or_else(|| anyhow!("{context}: unsupported $ref {value}"))?;
                    let short = self.short_name(target, context)?;
                    refs.push(target.to_string());
                    out.insert(key.clone(), json!(format!("{UPSTREAM_PREFIX}{short}")));
                }
                // Ids are past 2^31 in production.
                "format" if value == "int32" => {
                    out.insert(key.clone(), json!("int64"));
                }
                "properties" => {
                    let mut props = Map::new();
                    for (name, prop) in value.as_object().into_iter().flatten() {
                        props.insert(name.clone(), self.clean(prop, refs, context)?);
                    }
                    out.insert(key.clone(), Value::Object(props));
                }
                "items" | "additionalProperties" | "not" => {
                    out.insert(key.clone(), self.clean(value, refs, context)?);
                }
                "allOf" | "oneOf" | "anyOf" => {
                    let parts = value
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|v| self.clean(v, refs, context))
                        .collect::<Result<Vec<_>>>()?;
                    out.insert(key.clone(), Value::Array(parts));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
#[path = "normalize_tests.rs"]
mod tests;
