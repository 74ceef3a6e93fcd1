//! Listings kept in their sort order between requests.
//!
//! Orders and items have no index of their own: each request built every
//! entry of the organization and sorted them, tens of milliseconds at a
//! hundred thousand, which a client reading several listings at once paid
//! in CPU shared with itself rather than in HelloAsso's latency. Only the
//! unfiltered listings are kept (a mirror's reads); any write to the
//! dataset empties the cache, under the dataset's write lock, so no page is
//! served from entries older than the data it renders.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Sorted listings by a key naming the listing (`orders/<org>`, ...).
#[derive(Default)]
pub(crate) struct ListingCache {
    // Type-erased so the store need not know the handlers' entry types.
    kept: Mutex<HashMap<String, Arc<dyn Any + Send + Sync>>>,
}

impl ListingCache {
    /// The listing kept under `key`, built by `build` when it is not.
    pub(crate) fn get_or_build<T: Any + Send + Sync>(
        &self,
        key: String,
        build: impl FnOnce() -> T,
    ) -> Arc<T> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(found) = kept.get(&key).and_then(|v| v.clone().downcast::<T>().ok()) {
            return found;
        }
        let built = Arc::new(build());
        kept.insert(key, built.clone());
        built
    }

    /// Forgets every listing: the dataset is about to change.
    pub(crate) fn clear(&self) {
        self.kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl std::fmt::Debug for ListingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.kept.lock().map_or(0, |k| k.len());
        write!(f, "ListingCache({n} listings)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_listing_is_built_once_until_cleared() {
        let cache = ListingCache::default();
        let mut builds = 0;
        let mut get = |cache: &ListingCache| {
            cache.get_or_build("orders/0".to_owned(), || {
                builds += 1;
                vec![1u32, 2, 3]
            })
        };
        assert_eq!(*get(&cache), vec![1, 2, 3]);
        get(&cache);
        cache.clear();
        get(&cache);
        assert_eq!(builds, 2);
    }
}
