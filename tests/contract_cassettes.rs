//! One contract test per recorded cassette in tests/cassettes: the
//! scenario of the same name replayed strictly through the facade.

mod contract;

#[tokio::test]
async fn list_organization_payments_pages() {
    contract::check("list_organization_payments_pages").await;
}

#[tokio::test]
async fn list_form_payments() {
    contract::check("list_form_payments").await;
}

#[tokio::test]
async fn search_payments() {
    contract::check("search_payments").await;
}

#[tokio::test]
async fn get_payment() {
    contract::check("get_payment").await;
}

#[tokio::test]
async fn get_payment_not_found() {
    contract::check("get_payment_not_found").await;
}

#[tokio::test]
async fn get_payment_expired_token() {
    contract::check("get_payment_expired_token").await;
}

#[tokio::test]
async fn get_payment_rate_limited() {
    contract::check("get_payment_rate_limited").await;
}

#[tokio::test]
async fn get_payment_server_error() {
    contract::check("get_payment_server_error").await;
}

#[tokio::test]
async fn list_payments_past_last_page() {
    contract::check("list_payments_past_last_page").await;
}

#[tokio::test]
async fn token_invalid_client() {
    contract::check("token_invalid_client").await;
}

#[tokio::test]
async fn token_invalid_grant() {
    contract::check("token_invalid_grant").await;
}

#[tokio::test]
async fn refund_payment() {
    contract::check("refund_payment").await;
}

#[tokio::test]
async fn refund_mfa_sms() {
    contract::check("refund_mfa_sms").await;
}

#[tokio::test]
async fn refund_mfa_email() {
    contract::check("refund_mfa_email").await;
}

#[tokio::test]
async fn refund_mfa_password() {
    contract::check("refund_mfa_password").await;
}

#[tokio::test]
async fn refund_user_not_enrolled() {
    contract::check("refund_user_not_enrolled").await;
}

#[tokio::test]
async fn checkout_create_and_get() {
    contract::check("checkout_create_and_get").await;
}

#[tokio::test]
async fn export_csv() {
    contract::check("export_csv").await;
}

#[tokio::test]
async fn partner_forbidden_and_disconnect() {
    contract::check("partner_forbidden_and_disconnect").await;
}

/// Cassettes built from public samples (tests/cassettes/samples) have
/// their own scenarios: the recorder cannot produce their bodies.
mod samples {
    use super::contract;
    use helloasso_recorder::cassette::{self, SpecIndex};
    use helloasso_recorder::scenario::{Ctx, Scenario};
    use helloasso_sdk::types::PaymentState;

    async fn get_official_sample(ctx: Ctx) -> Result<(), String> {
        let client = ctx.client()?;
        let payment = client
            .payment(7_269_832)
            .get()
            .await
            .map_err(|e| e.to_string())?;
        if payment.state != Some(PaymentState::Authorized) || payment.amount != Some(1000) {
            return Err(format!("unexpected payment {payment:?}"));
        }
        Ok(())
    }

    #[tokio::test]
    async fn get_payment_official_sample() {
        let file = contract::cassettes_dir().join("samples/get_payment_official_sample.yaml");
        let scenario = Scenario {
            name: "get_payment_official_sample",
            summary: "",
            fake_only: false,
            run: |ctx| Box::pin(get_official_sample(ctx)),
        };
        let result = match cassette::load(&file, &SpecIndex::workspace()) {
            Ok(c) => contract::replay(&c, scenario)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            panic!("\n{e}\n");
        }
    }
}
