//! The recorder against a fake whose newest payers have awkward personal
//! data: quotes, backslashes, line breaks, two-letter surnames, a country
//! and a company. None of it may reach a cassette, however it is escaped.

use helloasso_fake::PayerSeed;
use helloasso_recorder::record::{Target, record_with};
use serde_json::Value;

fn payers() -> Vec<PayerSeed> {
    vec![
        PayerSeed {
            first_name: "Zoé \"Zaza\"".to_owned(),
            last_name: "Li".to_owned(),
            email: "zoe.\"quoted\"@example.net".to_owned(),
            address: Some("12 rue des Lilas\nBâtiment B".to_owned()),
            city: Some("Saint-Quentin-Fallavier".to_owned()),
            zip_code: Some("38070".to_owned()),
            country: Some("Belgique".to_owned()),
        },
        PayerSeed {
            first_name: "Back\\Slash".to_owned(),
            last_name: "Ng".to_owned(),
            email: "ng.back@example.net".to_owned(),
            address: Some("3 impasse \"du Moulin\"".to_owned()),
            city: Some("Oyonnax".to_owned()),
            zip_code: Some("01100".to_owned()),
            country: Some("Suisse".to_owned()),
        },
        // Shaped like the recorder's own placeholders: still a payer's text.
        PayerSeed {
            first_name: "<Jeanne>".to_owned(),
            last_name: "<DURAND>".to_owned(),
            email: "<jeanne.durand@example.net>".to_owned(),
            address: Some("<8 quai Perrache>".to_owned()),
            city: Some("<Lyon>".to_owned()),
            zip_code: Some("<69002>".to_owned()),
            country: Some("<Italie>".to_owned()),
        },
        PayerSeed {
            first_name: "Anne-\nSophie".to_owned(),
            last_name: "O'Hara".to_owned(),
            email: "anne.sophie.ohara@example.net".to_owned(),
            address: None,
            city: None,
            zip_code: None,
            country: None,
        },
    ]
}

/// The personal values seeded, as they would appear in a leaf.
fn seeded_values() -> Vec<String> {
    payers()
        .into_iter()
        .flat_map(|p| {
            [
                Some(p.first_name),
                Some(p.last_name),
                Some(p.email),
                p.address,
                p.city,
                p.zip_code,
                p.country,
            ]
        })
        .flatten()
        .collect()
}

/// Every string in a cassette: YAML leaves, and inside each, the leaves of
/// a JSON document or the cells of a CSV body. Written apart from the
/// recorder's own scan, so that it checks the file, not the scrubber.
fn leaves(text: &str) -> Vec<String> {
    fn yaml(value: &serde_norway::Value, out: &mut Vec<String>) {
        match value {
            serde_norway::Value::String(s) => {
                out.push(s.clone());
                if let Ok(json) = serde_json::from_str::<Value>(s) {
                    json_leaves(&json, out);
                } else {
                    let mut csv = csv::ReaderBuilder::new()
                        .has_headers(false)
                        .flexible(true)
                        .from_reader(s.as_bytes());
                    for record in csv.records().flatten() {
                        out.extend(record.iter().map(str::to_owned));
                    }
                }
            }
            serde_norway::Value::Sequence(items) => items.iter().for_each(|v| yaml(v, out)),
            serde_norway::Value::Mapping(map) => map.iter().for_each(|(_, v)| yaml(v, out)),
            _ => {}
        }
    }
    fn json_leaves(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|v| json_leaves(v, out)),
            Value::Object(map) => map.values().for_each(|v| json_leaves(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for (n, document) in text.split("\n---\n").enumerate() {
        // A document that does not parse would hide whatever it holds.
        match serde_norway::from_str::<serde_norway::Value>(document) {
            Ok(value) => yaml(&value, &mut out),
            Err(e) => panic!("document {n} of a cassette is not YAML: {e}"),
        }
    }
    out
}

#[test]
#[should_panic(expected = "is not YAML")]
fn a_document_that_does_not_parse_fails_the_scan() {
    leaves("# source: x\n---\nwhen: {method: GET\n---\nthen: {status: 200}\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_seeded_personal_value_reaches_a_cassette() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let recording = match record_with(&Target::Fake, None, dir.path(), payers()).await {
        Ok(r) => r,
        Err(e) => panic!("recording failed: {e:#}"),
    };
    assert!(!recording.files.is_empty());
    let values = seeded_values();
    let mut listed = false;
    for file in &recording.files {
        let text = std::fs::read_to_string(file).expect("a written cassette");
        // The listing and export steps carry the seeded payers' placeholders.
        listed |= text.contains("<LAST_NAME_");
        let strings = leaves(&text);
        assert!(!strings.is_empty(), "{}", file.display());
        for value in &values {
            for s in &strings {
                let hit = if value.chars().count() < 3 {
                    s.trim() == value || s.split(|c: char| !c.is_alphanumeric()).any(|w| w == value)
                } else {
                    s.contains(value.as_str())
                };
                assert!(!hit, "{} keeps a seeded value in `{s}`", file.display());
            }
            // Raw text too, escaped as YAML or JSON would escape it.
            if value.chars().count() >= 4 {
                let escaped = serde_json::to_string(value).unwrap();
                let escaped = &escaped[1..escaped.len() - 1];
                assert!(
                    !text.contains(value.as_str()) && !text.contains(escaped),
                    "{} keeps a seeded value",
                    file.display()
                );
            }
        }
    }
    assert!(listed, "no cassette shows a payer: the test proves nothing");
}
