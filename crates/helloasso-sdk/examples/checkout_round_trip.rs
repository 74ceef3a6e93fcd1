//! A checkout round trip: create an intent with typed metadata, send the
//! payer to HelloAsso's page, then read the intent back with its order.
//!
//! With the fake server the payment is simulated; with real credentials the
//! example waits while you pay on the printed URL (sandbox recommended).
//!
//! ```text
//! cargo run -p helloasso-sdk --example checkout_round_trip
//! ```

mod common;

use common::{BoxError, connect};
use helloasso_sdk::Cents;
use serde::{Deserialize, Serialize};

/// What the shop needs to find its cart again when the payment comes back.
#[derive(Debug, Serialize, Deserialize)]
struct ShopMetadata {
    cart_id: u64,
    customer: String,
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let target = connect(helloasso_fake::FakeConfig::default().payments(10)).await?;
    let checkout = target.client.checkout(&target.organization);

    let created = checkout
        .intent("Adhésion 2025", Cents(3000))
        .back_url("https://shop.example.org/cart")
        .error_url("https://shop.example.org/payment-error")
        .return_url("https://shop.example.org/thanks")
        .metadata(&ShopMetadata {
            cart_id: 42,
            customer: "member-0042".into(),
        })
        .create()
        .await?;
    println!(
        "intent {}: send the payer to {}",
        created.id, created.redirect_url
    );

    match &target.fake {
        Some(fake) => {
            let paid = fake.pay_checkout_intent(created.id)?;
            println!(
                "(fake) paid: order {}, payment {}",
                paid.order_id, paid.payment_id
            );
        }
        None => {
            println!("pay on that page (valid 15 minutes), then press Enter");
            tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new()))
                .await??;
        }
    }

    let intent = checkout.get::<ShopMetadata>(created.id).await?;
    match (&intent.order, &intent.metadata) {
        (Some(order), Some(meta)) => println!(
            "cart {} ({}) paid: order {:?}, {:?} cents",
            meta.cart_id,
            meta.customer,
            order.id,
            order.amount.as_ref().and_then(|a| a.total)
        ),
        (None, _) => println!("not paid yet"),
        (Some(_), None) => println!("paid, but the metadata is gone"),
    }

    if let Some(fake) = target.fake {
        fake.shutdown().await;
    }
    Ok(())
}
