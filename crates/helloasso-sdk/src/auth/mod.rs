//! OAuth: token pairs, where they are kept, how they are refreshed, and the
//! partner authorization-code flow.

pub(crate) mod oauth;
pub(crate) mod pkce;
pub(crate) mod token;
pub(crate) mod token_cache;
pub(crate) mod token_store;

pub use oauth::AuthorizationRequest;
pub use pkce::PkceVerifier;
pub use token::{Token, TokenKey};
pub use token_store::{FileTokenStore, MemoryTokenStore, TokenStore};
