//! The CLI held to HelloAsso as it is: its refusals named as HelloAsso
//! means them.

use crate::common::{Fake, MFA_CODE, run_args};
use helloasso_fake::{FakeConfig, PaymentState};

/// An association's client lacks `RefundManagement` unless HelloAsso
/// grants it: the refused refund names the privilege, and the fake
/// executed nothing.
#[test]
fn a_refund_refused_for_a_missing_privilege_names_refund_management() {
    let fake = Fake::with(FakeConfig::default().seed(7).payments(50).association(true));
    let id = fake
        .server
        .payment_figures()
        .into_iter()
        .find(|p| p.state == PaymentState::Authorized && p.refunded_cents == 0)
        .expect("a refundable payment")
        .id;
    let r = run_args(
        fake.cli(),
        &[
            "payments",
            "refund",
            &id.to_string(),
            "--yes",
            "--mfa-code",
            MFA_CODE,
        ],
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("RefundManagement"), "{}", r.stderr);
    assert_eq!(fake.server.counters().refunds_executed, 0);
}
