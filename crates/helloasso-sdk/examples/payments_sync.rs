//! Incremental sync of an organization's payments into a local store.
//!
//! Pages through the payments sorted by update date, upserts each page, and
//! saves the checkpoint (continuation token) after every page, so that the
//! next run fetches only what changed since. Optionally exports the same
//! selection as CSV.
//!
//! ```text
//! cargo run -p helloasso-sdk --example payments_sync -- [--checkpoint FILE] [--export FILE.csv]
//! ```
//!
//! Without `HELLOASSO_CLIENT_ID` it runs against a fake server started
//! in-process.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{BoxError, connect};
use futures::TryStreamExt;
use helloasso_sdk::types::{Payment, SortField, SortOrder};
use helloasso_sdk::{Cents, ExportFormat};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let mut checkpoint_file: Option<PathBuf> = None;
    let mut export_file: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--checkpoint" => checkpoint_file = args.next().map(PathBuf::from),
            "--export" => export_file = args.next().map(PathBuf::from),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }

    let target = connect(helloasso_fake::FakeConfig::default().payments(750)).await?;
    let saved = match &checkpoint_file {
        Some(path) => std::fs::read_to_string(path)
            .ok()
            .map(|s| s.trim().to_owned()),
        None => None,
    };

    let mut listing = target
        .client
        .payments(&target.organization)
        .list()
        .sort(SortField::UpdateDate, SortOrder::Asc)
        .page_size(100);
    if let Some(token) = &saved {
        eprintln!("resuming after checkpoint {token}");
        listing = listing.resume_from(token);
    }

    // The local store: the last version of each payment by id.
    let mut store: BTreeMap<i64, Payment> = BTreeMap::new();
    let mut pages = listing.pages();
    while let Some(page) = pages.try_next().await? {
        let received = page.len();
        for payment in page.items {
            if let Some(id) = payment.id {
                store.insert(id, payment);
            }
        }
        // Saved only once the page is stored: a crash re-reads it, never skips it.
        if let (Some(path), Some(token)) = (&checkpoint_file, pages.checkpoint()) {
            std::fs::write(path, token)?;
        }
        eprintln!(
            "page {:?}: {received} payments (total {})",
            page.page_index,
            page.total_count
                .map_or_else(|| "not counted".to_owned(), |n| n.to_string())
        );
    }

    let total: Cents = store.values().filter_map(|p| p.amount).sum();
    println!("{} payments synced, {total} in all", store.len());

    if let Some(path) = export_file {
        let mut file = tokio::fs::File::create(&path).await?;
        let bytes = target
            .client
            .payments(&target.organization)
            .export(ExportFormat::Csv)
            .write_to(&mut file)
            .await?;
        println!("exported {bytes} bytes to {}", path.display());
    }

    if let Some(fake) = target.fake {
        fake.shutdown().await;
    }
    Ok(())
}
