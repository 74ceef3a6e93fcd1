//! A fresh SQLite mirror opened by several openers at once (a sync and a
//! listener started together): every one of them gets a usable database.

use helloasso_sync::{Mirror, Resource};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn openers_racing_on_a_fresh_file_all_succeed() {
    for round in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(format!("mirror-{round}.sqlite"));
        let location = path.to_str().unwrap().to_owned();
        let opens = (0..8).map(|_| {
            let location = location.clone();
            tokio::spawn(async move { Mirror::open(&location).await })
        });
        for (i, opened) in futures::future::join_all(opens)
            .await
            .into_iter()
            .enumerate()
        {
            let mirror = opened
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}, opener {i}: {e}"));
            assert_eq!(mirror.count(Resource::Payments, "org").await.unwrap(), 0);
            mirror.close().await;
        }
    }
}
