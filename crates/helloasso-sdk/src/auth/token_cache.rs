//! A single-flight cache of one token pair, and the map of a client's
//! caches (its own token's, and each organization's).
//!
//! However many tasks need a token at once, one fetch runs and they all wait
//! on its result, success or failure. This matters more for HelloAsso than
//! for most APIs: refresh tokens rotate, so two concurrent refreshes with the
//! same refresh token would see the second one refused.
//!
//! The fetch runs in a task of its own, so a caller that gives up (a dropped
//! future, a timeout) never cancels a refresh half-way: a rotated refresh
//! token that HelloAsso already issued is always saved. A task that dies
//! anyway (a panicking token store, a runtime shut down) ends its flight:
//! the next caller starts a new one.
//!
//! [`TokenCache::clear`] and [`TokenCache::install`] start a new epoch: a
//! refresh that began before them neither saves nor installs its token, so a
//! disconnected organization's token is not saved again and a freshly
//! exchanged pair is not overwritten.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use tracing::Instrument;

use super::token::{Token, TokenKey};
use super::token_store::TokenStore;
use crate::clock::Clock;
use crate::error::{Error, Result};

/// Obtains a new token pair, given the previous one (whose refresh token it
/// should try first), if any.
pub(crate) type FetchToken =
    Arc<dyn Fn(Option<Token>) -> BoxFuture<'static, Result<Token>> + Send + Sync>;

type Flight = Shared<BoxFuture<'static, Landed>>;

/// How a flight ended.
#[derive(Clone)]
enum Landed {
    /// Its task ran to the end.
    Done(Result<CachedToken>),
    /// Its task panicked or was cancelled: the error to report if that
    /// happens twice.
    Interrupted(Error),
}

/// A token as handed out by the cache, with the generation that identifies
/// it when a request reports it refused.
#[derive(Clone, Debug)]
pub(crate) struct CachedToken {
    pub(crate) generation: u64,
    pub(crate) token: Token,
}

/// One key's token, shared by every clone of a client.
#[derive(Clone)]
pub(crate) struct TokenCache {
    inner: Arc<Inner>,
}

/// What every token cache of a client shares.
#[derive(Clone)]
pub(crate) struct CacheSettings {
    pub(crate) store: Arc<dyn TokenStore>,
    /// How long before expiry a token is refreshed.
    pub(crate) skew: Duration,
    pub(crate) clock: Arc<dyn Clock>,
    /// The fingerprint of the client's credentials: a stored own token
    /// marked with another is not used (organizations' tokens were granted
    /// by their users, not by the secret, and are kept).
    pub(crate) credentials: Option<String>,
}

/// A client's token caches, one per key, made on first use: clones of a
/// client and its per-organization handles share them.
pub(crate) struct TokenCaches {
    settings: CacheSettings,
    /// How a cache for a key gets new tokens.
    fetcher: Box<dyn Fn(&TokenKey) -> FetchToken + Send + Sync>,
    caches: Mutex<HashMap<TokenKey, TokenCache>>,
}

impl TokenCaches {
    pub(crate) fn new(
        settings: CacheSettings,
        fetcher: impl Fn(&TokenKey) -> FetchToken + Send + Sync + 'static,
    ) -> Self {
        Self {
            settings,
            fetcher: Box::new(fetcher),
            caches: Mutex::new(HashMap::new()),
        }
    }

    /// The cache of `key`'s token.
    pub(crate) fn get(&self, key: &TokenKey) -> TokenCache {
        let mut caches = self.caches.lock().unwrap_or_else(|p| p.into_inner());
        caches
            .entry(key.clone())
            .or_insert_with(|| {
                TokenCache::new(key.clone(), self.settings.clone(), (self.fetcher)(key))
            })
            .clone()
    }

    /// The token store every cache uses.
    pub(crate) fn store(&self) -> &Arc<dyn TokenStore> {
        &self.settings.store
    }

    /// How long before expiry tokens are refreshed.
    pub(crate) fn skew(&self) -> Duration {
        self.settings.skew
    }
}

struct Inner {
    key: TokenKey,
    /// For the client's own token: the credentials it must have been
    /// obtained with, when the store says.
    credentials: Option<String>,
    store: Arc<dyn TokenStore>,
    skew: Duration,
    clock: Arc<dyn Clock>,
    fetch: FetchToken,
    state: Mutex<State>,
    /// Held while the store is written, so that a save from a refresh and
    /// a `clear`/`install` never interleave.
    store_lock: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    current: Option<CachedToken>,
    /// The server refused `current` (a 401): refresh even if it looks fresh.
    rejected: bool,
    /// Whether the store has been read (once, lazily).
    loaded: bool,
    flight: Option<(u64, Flight)>,
    next_id: u64,
    /// Bumped by `clear` and `install`: a flight started in an older epoch
    /// is stale.
    epoch: u64,
}

impl TokenCache {
    pub(crate) fn new(key: TokenKey, settings: CacheSettings, fetch: FetchToken) -> Self {
        Self {
            inner: Arc::new(Inner {
                credentials: settings
                    .credentials
                    .filter(|_| key.organization_slug().is_none()),
                key,
                store: settings.store,
                skew: settings.skew,
                clock: settings.clock,
                fetch,
                state: Mutex::new(State::default()),
                store_lock: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// A usable token: the cached one while it is fresh, else the result of
    /// the one fetch in flight (started here if none is). A flight whose
    /// task died is replaced by a new one, once.
    pub(crate) async fn get(&self) -> Result<CachedToken> {
        let mut interrupted_before = false;
        loop {
            let flight = {
                let mut state = self.inner.lock();
                if let Some(current) = &state.current
                    && !state.rejected
                    && current
                        .token
                        .is_fresh_at(self.inner.clock.now(), self.inner.skew)
                {
                    return Ok(current.clone());
                }
                match &state.flight {
                    Some((_, flight)) => flight.clone(),
                    None => self.start_flight(&mut state),
                }
            };
            match flight.await {
                Landed::Done(result) => return result,
                Landed::Interrupted(error) if interrupted_before => return Err(error),
                Landed::Interrupted(_) => interrupted_before = true,
            }
        }
    }

    /// Reports that the server refused the token of `generation` (a 401). The
    /// next [`get`](Self::get) fetches a new one, unless another task already
    /// replaced it, in which case the replacement is used as is.
    pub(crate) fn reject(&self, generation: u64) {
        let mut state = self.inner.lock();
        if state
            .current
            .as_ref()
            .is_some_and(|c| c.generation == generation)
        {
            state.rejected = true;
        }
    }

    /// Installs a token obtained elsewhere (an authorization-code exchange)
    /// and saves it. A refresh in flight is superseded.
    pub(crate) async fn install(&self, token: Token) -> Result<CachedToken> {
        let _store = self.inner.store_lock.lock().await;
        drop(self.inner.new_epoch());
        self.inner.store.save(&self.inner.key, &token).await?;
        Ok(self.inner.set_current(token, None))
    }

    /// Forgets the token, here and in the store (after a disconnect). A
    /// refresh in flight is superseded: its token is neither saved nor used.
    pub(crate) async fn clear(&self) -> Result<()> {
        let _store = self.inner.store_lock.lock().await;
        {
            let mut state = self.inner.new_epoch();
            state.current = None;
            state.rejected = false;
            // Do not read back what is being removed.
            state.loaded = true;
        }
        self.inner.store.remove(&self.inner.key).await
    }

    fn start_flight(&self, state: &mut State) -> Flight {
        let id = state.next_id;
        state.next_id += 1;
        let epoch = state.epoch;
        let previous = state.current.as_ref().map(|c| c.token.clone());
        let needs_load = !state.loaded;
        let inner = self.inner.clone();
        // The token request's spans nest under the caller that started it.
        let task = tokio::spawn(
            async move {
                let result = inner.refresh(previous, needs_load, epoch).await;
                inner.land(id, epoch, result)
            }
            .in_current_span(),
        );
        let inner = self.inner.clone();
        let flight = async move {
            match task.await {
                Ok(result) => Landed::Done(result),
                Err(join_error) => {
                    // The task never landed: end its flight here, or every
                    // later caller would wait on this dead one.
                    inner.end_flight(id);
                    Landed::Interrupted(Error::task_failed(
                        "the task fetching a token",
                        &join_error,
                    ))
                }
            }
        }
        .boxed()
        .shared();
        state.flight = Some((id, flight.clone()));
        flight
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is a few plain fields, each left consistent at every
        // step: a panic elsewhere does not make it unusable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts a new epoch: flights of older ones are stale, and the next
    /// caller starts a new one.
    fn new_epoch(&self) -> MutexGuard<'_, State> {
        let mut state = self.lock();
        state.epoch += 1;
        state.flight = None;
        state
    }

    fn end_flight(&self, id: u64) {
        let mut state = self.lock();
        if state.flight.as_ref().is_some_and(|(f, _)| *f == id) {
            state.flight = None;
        }
    }

    /// Runs in the flight's task.
    async fn refresh(
        &self,
        previous: Option<Token>,
        needs_load: bool,
        epoch: u64,
    ) -> Result<Token> {
        let mut previous = previous;
        if needs_load {
            let stored = self.store.load(&self.key).await?;
            if let Some(stored) = stored.filter(|t| self.obtained_by_these_credentials(t)) {
                if stored.is_fresh_at(self.clock.now(), self.skew) {
                    tracing::debug!(key = %self.key, "using the token from the token store");
                    return Ok(stored);
                }
                previous = Some(stored);
            }
            self.lock().loaded = true;
        }
        let token = (self.fetch)(previous).await?;
        let _store = self.store_lock.lock().await;
        if self.lock().epoch != epoch {
            // Cleared or replaced while this refresh ran: saving would bring
            // back a forgotten token or overwrite a newer one.
            return Err(superseded());
        }
        if let Err(error) = self.store.save(&self.key, &token).await {
            // The token works; only the next process start will miss it.
            tracing::warn!(key = %self.key, %error, "could not save the new token");
        }
        Ok(token)
    }

    /// Whether a stored token may be used: not when it is marked as
    /// obtained with other credentials (a changed or mistyped secret must
    /// reach HelloAsso, not ride on a token it did not obtain, nor refresh
    /// it, since a refresh proves no secret).
    fn obtained_by_these_credentials(&self, stored: &Token) -> bool {
        match (&self.credentials, stored.credentials_fingerprint()) {
            (Some(ours), Some(theirs)) if ours != theirs => {
                tracing::info!(
                    key = %self.key,
                    "the stored token was obtained with other credentials: not used"
                );
                false
            }
            _ => true,
        }
    }

    /// Ends flight `id`: installs its token unless its epoch is over, and
    /// lets the next caller start a new flight.
    fn land(&self, id: u64, epoch: u64, result: Result<Token>) -> Result<CachedToken> {
        let mut state = self.lock();
        if state.epoch != epoch {
            // Whoever ended the epoch decided the token: use theirs, if any.
            return state.current.clone().ok_or_else(superseded);
        }
        match result {
            Ok(token) => Ok(set_current(&mut state, token, Some(id))),
            Err(error) => {
                if state.flight.as_ref().is_some_and(|(f, _)| *f == id) {
                    state.flight = None;
                }
                Err(error)
            }
        }
    }

    fn set_current(&self, token: Token, flight: Option<u64>) -> CachedToken {
        set_current(&mut self.lock(), token, flight)
    }
}

fn set_current(state: &mut State, token: Token, flight: Option<u64>) -> CachedToken {
    let generation = state.next_id;
    state.next_id += 1;
    let cached = CachedToken { generation, token };
    state.current = Some(cached.clone());
    state.rejected = false;
    state.loaded = true;
    if let Some(id) = flight
        && state.flight.as_ref().is_some_and(|(f, _)| *f == id)
    {
        state.flight = None;
    }
    cached
}

/// The error for callers of a refresh that `clear` made pointless.
fn superseded() -> Error {
    Error::invalid_request(
        "the token was forgotten (disconnected) while it was being refreshed; authorize again",
    )
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.lock();
        f.debug_struct("TokenCache")
            .field("key", &self.inner.key)
            .field("token", &state.current.as_ref().map(|c| &c.token))
            .field("refreshing", &state.flight.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::Utc;

    use super::*;
    use crate::auth::token_store::MemoryTokenStore;

    fn token(n: usize, lifetime_secs: i64) -> Token {
        Token::new(
            format!("access-{n}").into(),
            Some(format!("refresh-{n}").into()),
            Utc::now() + chrono::Duration::seconds(lifetime_secs),
        )
    }

    /// A fetch that counts its calls, yields a while (so that callers pile
    /// up behind it), and records the refresh token it was given.
    fn counting_fetch(
        calls: Arc<AtomicUsize>,
        seen: Arc<Mutex<Vec<Option<String>>>>,
        fail: bool,
    ) -> FetchToken {
        Arc::new(move |previous: Option<Token>| {
            let calls = calls.clone();
            let seen = seen.clone();
            // A test fake of `FetchToken`, a boxed closure: its future awaits
            // (to let callers pile up), so it is an async block.
            Box::pin(async move {
                use secrecy::ExposeSecret;
                let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
                seen.lock().unwrap().push(
                    previous.and_then(|t| t.refresh_token().map(|r| r.expose_secret().to_owned())),
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
                if fail {
                    Err(Error::OAuth {
                        status: None,
                        error: "invalid_client".into(),
                        description: None,
                    })
                } else {
                    Ok(token(n, 1800))
                }
            })
        })
    }

    fn cache(fetch: FetchToken, store: Arc<dyn TokenStore>) -> TokenCache {
        let settings = CacheSettings {
            store,
            skew: Duration::from_secs(60),
            clock: Arc::new(crate::clock::SystemClock),
            credentials: None,
        };
        TokenCache::new(TokenKey::own("id"), settings, fetch)
    }

    async fn hammer(cache: &TokenCache, n: usize) -> Vec<Result<CachedToken>> {
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.get().await })
            })
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn one_fetch_for_a_thousand_callers() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::default();
        let cache = cache(
            counting_fetch(calls.clone(), seen, false),
            Arc::new(MemoryTokenStore::new()),
        );
        let results = hammer(&cache, 1000).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(
            results
                .iter()
                .all(|r| r.as_ref().unwrap().generation == results[0].as_ref().unwrap().generation)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_failure_is_shared_not_retried_by_each_waiter() {
        let calls = Arc::new(AtomicUsize::new(0));
        let cache = cache(
            counting_fetch(calls.clone(), Arc::default(), true),
            Arc::new(MemoryTokenStore::new()),
        );
        let results = hammer(&cache, 200).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(
            results
                .iter()
                .all(|r| matches!(r, Err(Error::OAuth { .. })))
        );
        // The next caller tries again.
        let _ = cache.get().await;
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn stored_fresh_token_is_used_and_stale_one_is_refreshed() {
        let store = Arc::new(MemoryTokenStore::new());
        store
            .save(&TokenKey::own("id"), &token(100, 1800))
            .await
            .unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let fresh = cache(
            counting_fetch(calls.clone(), seen.clone(), false),
            store.clone(),
        );
        fresh.get().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 0);

        store
            .save(&TokenKey::own("id"), &token(200, 10))
            .await
            .unwrap();
        let stale = cache(
            counting_fetch(calls.clone(), seen.clone(), false),
            store.clone(),
        );
        stale.get().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(*seen.lock().unwrap(), vec![Some("refresh-200".to_owned())]);
        // The new pair was saved.
        let saved = store.load(&TokenKey::own("id")).await.unwrap().unwrap();
        assert_eq!(saved, stale.get().await.unwrap().token);
    }

    #[tokio::test]
    async fn reject_refreshes_once_and_ignores_stale_generations() {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let cache = cache(
            counting_fetch(calls.clone(), seen.clone(), false),
            Arc::new(MemoryTokenStore::new()),
        );
        let first = cache.get().await.unwrap();
        cache.reject(first.generation);
        cache.reject(first.generation);
        let second = cache.get().await.unwrap();
        assert_ne!(first.generation, second.generation);
        // A late report about the first token does not discard the second.
        cache.reject(first.generation);
        let third = cache.get().await.unwrap();
        assert_eq!(second.generation, third.generation);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // The refresh used the first pair's refresh token.
        assert_eq!(
            *seen.lock().unwrap(),
            vec![None, Some("refresh-1".to_owned())]
        );
    }

    #[tokio::test]
    async fn a_dropped_caller_does_not_cancel_the_fetch() {
        let calls = Arc::new(AtomicUsize::new(0));
        let store = Arc::new(MemoryTokenStore::new());
        let cache = cache(
            counting_fetch(calls.clone(), Arc::default(), false),
            store.clone(),
        );
        // Gives up long before the 50 ms fetch ends.
        let _ = tokio::time::timeout(Duration::from_millis(1), cache.get()).await;
        cache.get().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(store.load(&TokenKey::own("id")).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn clear_during_a_refresh_neither_saves_nor_installs_its_token() {
        let calls = Arc::new(AtomicUsize::new(0));
        let store = Arc::new(MemoryTokenStore::new());
        let cache = cache(
            counting_fetch(calls.clone(), Arc::default(), false),
            store.clone(),
        );
        let waiting = tokio::spawn({
            let cache = cache.clone();
            async move { cache.get().await }
        });
        // Let the refresh start; it takes 50 ms.
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        cache.clear().await.unwrap();

        let result = waiting.await.unwrap();
        assert!(
            matches!(result, Err(Error::InvalidRequest { .. })),
            "{result:?}"
        );
        assert!(store.load(&TokenKey::own("id")).await.unwrap().is_none());
        // The next caller starts a refresh of its own.
        cache.get().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(store.load(&TokenKey::own("id")).await.unwrap().is_some());
    }
}
