//! One contract test per recorded cassette in tests/cassettes: the
//! scenario of the same name replayed strictly through the facade.

use crate::contract;

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
    use helloasso_sdk::Cents;
    use helloasso_sdk::types::PaymentState;

    async fn get_official_sample(ctx: Ctx) -> Result<(), String> {
        let client = ctx.client()?;
        let payment = client
            .payment(7_269_832)
            .get()
            .await
            .map_err(|e| e.to_string())?;
        if payment.state != Some(PaymentState::Authorized) || payment.amount != Some(Cents(1000)) {
            return Err(format!("unexpected payment {payment:?}"));
        }
        Ok(())
    }

    /// Replays `tests/cassettes/samples/{name}.yaml` through `run`.
    async fn replay_sample(
        name: &'static str,
        run: fn(Ctx) -> futures::future::BoxFuture<'static, Result<(), String>>,
    ) {
        let file = contract::cassettes_dir().join(format!("samples/{name}.yaml"));
        let scenario = Scenario {
            name,
            summary: "",
            fake_only: false,
            run,
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

    fn check<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> Result<(), String> {
        if got == want {
            Ok(())
        } else {
            Err(format!("{what}: got {got:?}, expected {want:?}"))
        }
    }

    #[tokio::test]
    async fn get_payment_official_sample() {
        replay_sample("get_payment_official_sample", |ctx| {
            Box::pin(get_official_sample(ctx))
        })
        .await;
    }

    /// Values as the REAL bodies carry them (tests/data/samples 41 and 09, 60).
    async fn get_real_samples(ctx: Ctx) -> Result<(), String> {
        let client = ctx.client()?;
        let token = client.token().await.map_err(|e| e.to_string())?;
        let left = (token.expires_at() - chrono::Utc::now()).num_seconds();
        if !(1790..=1799).contains(&left) {
            return Err(format!("expires_in 1799 gave {left} s"));
        }
        check("refresh token", token.refresh_token().is_some(), true)?;

        let sandbox = client
            .payment(5428)
            .get()
            .await
            .map_err(|e| e.to_string())?;
        check("amount", sandbox.amount, Some(Cents(10_000)))?;
        check(
            "state",
            sandbox.state.clone(),
            Some(PaymentState::Authorized),
        )?;
        // .NET's minimum date for "not cashed out yet".
        check(
            "cashOutDate",
            sandbox.cash_out_date.map(|d| d.timestamp()),
            Some(-62_135_596_800),
        )?;
        let order = sandbox.order.clone().ok_or("no order")?;
        check(
            "order.formName",
            order.form_name.as_deref(),
            Some("Faire un don"),
        )?;
        check("order.isAnonymous", order.is_anonymous, Some(false))?;
        check("order.isAmountHidden", order.is_amount_hidden, Some(false))?;
        check(
            "payer.email",
            sandbox.payer.clone().and_then(|p| p.email),
            Some(String::new()),
        )?;

        let old = client
            .payment(9_307_923)
            .get()
            .await
            .map_err(|e| e.to_string())?;
        check("amount", old.amount, Some(Cents(1500)))?;
        check("meta", old.meta.is_none(), true)?;
        check("installmentNumber", old.installment_number, None)?;
        Ok(())
    }

    #[tokio::test]
    async fn get_payment_real_samples() {
        replay_sample("get_payment_real_samples", |ctx| {
            Box::pin(get_real_samples(ctx))
        })
        .await;
    }

    async fn refused_client(ctx: Ctx) -> Result<(), String> {
        let client = ctx
            .builder()?
            .credentials(ctx.client_id.clone(), "<WRONG_CLIENT_SECRET>")
            .build()
            .map_err(|e| e.to_string())?;
        match client.token().await {
            Err(helloasso_sdk::Error::OAuth {
                status,
                error,
                description,
                ..
            }) => {
                check("status", status.map(|s| s.as_u16()), Some(400))?;
                check("error", error.as_str(), "unauthorized_client")?;
                check(
                    "description",
                    description.as_deref(),
                    Some("Invalid client_id '{client_id}'"),
                )
            }
            other => Err(format!(
                "expected an OAuth refusal, got {:?}",
                other.map(|_| "a token")
            )),
        }
    }

    #[tokio::test]
    async fn token_unauthorized_client() {
        replay_sample("token_unauthorized_client", |ctx| {
            Box::pin(refused_client(ctx))
        })
        .await;
    }
}
