//! Webhook notifications: every collected sample parses to its variant, and
//! signatures are checked on the raw bytes.

use std::path::PathBuf;

use helloasso_sdk::Cents;
use helloasso_sdk::types::{FormType, PaymentState};
use helloasso_sdk::webhooks::{self, Notification, WebhookError};

/// The repository's one copy of the samples (provenance in its
/// PROVENANCE.md), beside the raw client's tests.
fn samples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/samples/webhooks")
}

/// The notifications this SDK version is checked against; the folder holds
/// more, which the raw client's lossless test decodes.
const SAMPLES: [&str; 8] = [
    "01_official_sample_Form_event.json",
    "02_official_sample_Order_event.json",
    "03_official_sample_Payment_event.json",
    "04_official_doc_Organization_event.json",
    "06_sandbox_Form_event_donation_draft__registro.json",
    "09_Payment_event_2020__jymaire_hellos.json",
    "10_semisynthetic_Form_event__Doskyft_helloasso-php.json",
    "12_semisynthetic_Payment_event__Doskyft_helloasso-php.json",
];

fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = samples_dir();
    SAMPLES
        .into_iter()
        .map(|name| {
            let body = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name.to_owned(), body)
        })
        .collect()
}

#[test]
fn every_sample_parses_to_its_variant() {
    let samples = samples();
    for (name, body) in samples {
        let notification =
            Notification::parse(&body).unwrap_or_else(|e| panic!("{name}: {e} ({e:?})"));
        let expected = ["Payment", "Order", "Form", "Organization"]
            .into_iter()
            .find(|kind| name.contains(&format!("_{kind}_")))
            .unwrap_or_else(|| panic!("{name}: no event type in the name"));
        assert_eq!(notification.event_type(), expected, "{name}");
        match notification {
            Notification::Payment(p) => {
                assert!(p.id.is_some_and(|id| id > 0), "{name}");
                assert!(p.amount.is_some_and(|a| a.is_positive()), "{name}");
            }
            Notification::Order(o) => {
                assert!(o.id.is_some(), "{name}");
                assert!(!o.items.unwrap_or_default().is_empty(), "{name}");
            }
            Notification::Form(f) => {
                assert!(f.form_slug.is_some() || f.title.is_some(), "{name}");
            }
            Notification::Organization(change) => {
                assert_eq!(change.old_slug.as_deref(), Some("ctb"), "{name}");
                assert_eq!(
                    change.new_slug.as_deref(),
                    Some("club tennis bordeaux"),
                    "{name}"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn official_payment_sample_keeps_its_values() {
    let body = std::fs::read(samples_dir().join("03_official_sample_Payment_event.json")).unwrap();
    let Notification::Payment(payment) = Notification::parse(&body).unwrap() else {
        panic!("not a payment");
    };
    assert_eq!(payment.id, Some(7_269_832));
    assert_eq!(payment.amount, Some(Cents(1000)));
    assert_eq!(payment.state, Some(PaymentState::Authorized));
    let order = payment.order.unwrap();
    assert_eq!(order.form_type, Some(FormType::PaymentForm));
}

#[test]
fn a_known_event_with_the_wrong_shape_is_an_error_keeping_the_body() {
    let body = br#"{"eventType":"Order","data":{"id":"not-a-number"}}"#;
    match Notification::parse(body) {
        Err(WebhookError::UnexpectedData {
            event_type, path, ..
        }) => {
            assert_eq!(event_type, "Order");
            assert_eq!(path, "id");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        Notification::parse(body).unwrap_err().body(),
        Some(&body[..])
    );
}

#[test]
fn a_notification_that_does_not_decode_names_no_payer_value() {
    // A payer's e-mail where a number belongs, a name where an object
    // belongs, a name where an amount belongs: the error says what was
    // expected, never the value.
    let bodies: [&[u8]; 3] = [
        br#"{"eventType":"Order","data":{"id":"jeanne.martin@example.org"}}"#,
        br#"{"eventType":"Payment","data":{"id":1,"payer":"Jeanne Martin"}}"#,
        br#"{"eventType":"Payment","data":{"id":1,"amount":"Jeanne Martin"}}"#,
    ];
    for body in bodies {
        let error = Notification::parse(body).expect_err("does not decode");
        for shown in [error.to_string(), format!("{error:?}")] {
            assert!(!shown.contains("jeanne"), "{shown}");
            assert!(!shown.contains("Jeanne"), "{shown}");
        }
    }
}

#[test]
fn an_unknown_event_is_kept_raw() {
    let body = br#"{"eventType":"Refund","data":{"id":1}}"#;
    match Notification::parse(body).unwrap() {
        Notification::Unknown { event_type, data } => {
            assert_eq!(event_type, "Refund");
            assert_eq!(data["id"], 1);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_flipped_bit_fails_signature_verification() {
    let key = b"partner-signature-key";
    for (name, body) in samples() {
        let signature = webhooks::sign(&body, key);
        assert_eq!(
            webhooks::verify_signature(&body, &signature, key),
            Ok(()),
            "{name}"
        );
        for position in [0, body.len() / 2, body.len() - 1] {
            let mut tampered = body.clone();
            tampered[position] ^= 0x01;
            assert_eq!(
                webhooks::verify_signature(&tampered, &signature, key),
                Err(WebhookError::BadSignature),
                "{name} byte {position}"
            );
        }
    }
}

#[test]
fn the_fake_server_signs_like_the_sdk_verifies() {
    let body = br#"{"eventType":"Payment","data":{"id":1}}"#;
    let signature = helloasso_fake::webhook_signature(b"k", body);
    assert_eq!(webhooks::verify_signature(body, &signature, b"k"), Ok(()));
}

#[test]
fn an_empty_key_verifies_nothing() {
    let body = br#"{"eventType":"Payment","data":{}}"#;
    // Anyone can sign with an empty key.
    let forged = webhooks::sign(body, b"");
    assert_eq!(
        webhooks::verify_signature(body, &forged, b""),
        Err(WebhookError::BadSignature)
    );
    // A real key still works.
    let signed = webhooks::sign(body, b"k");
    assert_eq!(webhooks::verify_signature(body, &signed, b"k"), Ok(()));
}
