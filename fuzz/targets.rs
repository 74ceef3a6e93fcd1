//! The fuzzed functions, shared by the libFuzzer targets (`fuzz/fuzz_targets`)
//! and by the stable replay of their kept inputs (`tests/it/fuzz_corpus.rs`). Each must return
//! normally on any input: a panic is the bug being looked for.

use helloasso_raw::types;

/// Decodes bytes as every response body the client reads.
pub fn decode_responses(data: &[u8]) {
    let _ = serde_json::from_slice::<types::PaymentPage>(data);
    let _ = serde_json::from_slice::<types::PublicPaymentPage>(data);
    let _ = serde_json::from_slice::<types::PaymentDetail>(data);
    let _ = serde_json::from_slice::<types::CheckoutIntent>(data);
    let _ = serde_json::from_slice::<types::RefundOperation>(data);
    let _ = serde_json::from_slice::<types::TokenResponse>(data);
    if let Ok(error) = serde_json::from_slice::<types::ErrorBody>(data) {
        // Re-encoding what was decoded must work too.
        let _ = serde_json::to_vec(&error).expect("a decoded error body re-encodes");
    }
    if let Ok(page) = serde_json::from_slice::<types::PaymentPage>(data) {
        let _ = serde_json::to_vec(&page).expect("a decoded page re-encodes");
    }
}

/// Parses bytes as a webhook notification and checks a signature over them.
pub fn webhooks(data: &[u8]) {
    let _ = helloasso_sdk::webhooks::Notification::parse(data);
    let signature = helloasso_sdk::webhooks::sign(data, b"fuzz-key");
    assert!(helloasso_sdk::webhooks::verify_signature(data, &signature, b"fuzz-key").is_ok());
    // The signature itself is outside input too.
    let as_text = String::from_utf8_lossy(data);
    let _ = helloasso_sdk::webhooks::verify_signature(b"{}", &as_text, b"fuzz-key");
}
