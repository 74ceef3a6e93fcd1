//! A partial refund that HelloAsso guards with a second factor.
//!
//! The first attempt, without a provider, shows the typed error naming the
//! proof; the second lets an `MfaProvider` supply it (read from the
//! terminal with real credentials, the fake's code otherwise) and re-sends.
//!
//! ```text
//! cargo run -p helloasso-sdk --example refund_with_mfa                    # fake server
//! HELLOASSO_CLIENT_ID=... cargo run -p helloasso-sdk --example refund_with_mfa -- PAYMENT_ID CENTS --yes
//! ```

mod common;

use common::{BoxError, connect};
use futures::TryStreamExt;
use helloasso_fake::{FakeConfig, MfaMode};
use helloasso_sdk::types::PaymentState;
use helloasso_sdk::{Cents, Error, MfaChallenge, SecretString, mfa_fn};

const FAKE_SMS_CODE: &str = "123456";

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let target = connect(
        FakeConfig::default()
            .payments(50)
            .mfa(MfaMode::Sms, FAKE_SMS_CODE),
    )
    .await?;
    let on_fake = target.fake.is_some();

    let (payment_id, amount) = if on_fake {
        // Any authorized payment of the fake organization will do.
        let payment = target
            .client
            .payments(&target.organization)
            .list()
            .states([PaymentState::Authorized])
            .items()
            .try_next()
            .await?
            .ok_or("the fake organization has no authorized payment")?;
        (payment.id.ok_or("payment without id")?, Cents(100))
    } else {
        // A real refund moves real money: ask for everything explicitly.
        match args.as_slice() {
            [id, cents, yes] if yes == "--yes" => (id.parse()?, Cents(cents.parse()?)),
            _ => return Err("usage: refund_with_mfa PAYMENT_ID CENTS --yes".into()),
        }
    };

    // Without a provider, HelloAsso's 409 comes back as a typed error.
    match target
        .client
        .payment(payment_id)
        .refund()
        .amount(amount)
        .await
    {
        Err(Error::MfaRequired { proof, .. }) => {
            println!(
                "HelloAsso asks for {proof} in the `{}` header",
                proof.header_name()
            );
        }
        Err(Error::UserNotEnrolled { .. }) => {
            return Err("enable MFA on the HelloAsso account first".into());
        }
        Ok(operation) => {
            println!("refunded without MFA: {operation:?}");
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    }

    // With a provider, the client asks for the proof and re-sends by itself.
    let provider = mfa_fn(move |challenge: MfaChallenge| async move {
        if on_fake {
            return Some(SecretString::from(FAKE_SMS_CODE));
        }
        eprintln!(
            "enter {} (attempt {}/{}): ",
            challenge.proof, challenge.attempt, challenge.max_attempts
        );
        let line = tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).map(|_| line)
        })
        .await
        .ok()?
        .ok()?;
        let code = line.trim().to_owned();
        (!code.is_empty()).then(|| SecretString::from(code))
    });
    let operation = target
        .client
        .payment(payment_id)
        .refund()
        .amount(amount)
        .comment("Refund from the helloasso-sdk example")
        .send_refund_mail(false)
        .mfa_provider(provider)
        .max_mfa_attempts(3)
        .await?;
    println!(
        "refund {:?} of {amount} on payment {payment_id}: {:?}",
        operation.id, operation.state
    );

    if let Some(fake) = target.fake {
        fake.shutdown().await;
    }
    Ok(())
}
