//! Where a listing stopped, in one string a user can paste back: the
//! continuation token, the ids of the last page read (a record can straddle
//! that page and the next one, and is dropped from the next one only if its
//! id is known) and a fingerprint of the filters the listing was made with
//! (a token used with other filters selects other records).

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Text every checkpoint string starts with; a string without it is taken
/// as a bare continuation token (as printed by earlier versions).
const PREFIX: &str = "ck1_";

/// Where to resume a listing: see [`PageStream::resume_point`](crate::PageStream::resume_point)
/// and the listings' `resume_at`.
///
/// Its [`Display`](fmt::Display) form is one opaque word (`ck1_…`) that
/// [`FromStr`] reads back. It holds no personal data: record ids, a
/// continuation token, and a fingerprint of the filters that leaves the
/// search key out (a hash of a short search key would confirm a guess).
///
/// ```
/// use helloasso_sdk::Checkpoint;
///
/// let bare: Checkpoint = "opaque-token".parse().unwrap();
/// assert_eq!(bare.token(), "opaque-token");
/// let again: Checkpoint = bare.to_string().parse().unwrap();
/// assert_eq!(again, bare);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Checkpoint {
    token: String,
    last_page_ids: Vec<i64>,
    binding: Option<[u8; 8]>,
}

impl Checkpoint {
    /// A bare continuation token: resuming from it cannot drop a record
    /// that straddles the join, and does not check the filters.
    pub fn from_token(token: impl Into<String>) -> Self {
        Self {
            token: token.into(),
            last_page_ids: Vec::new(),
            binding: None,
        }
    }

    pub(crate) fn new(token: String, ids: impl IntoIterator<Item = i64>, binding: [u8; 8]) -> Self {
        let mut last_page_ids: Vec<i64> = ids.into_iter().filter(|id| *id >= 0).collect();
        last_page_ids.sort_unstable();
        last_page_ids.dedup();
        Self {
            token,
            last_page_ids,
            binding: Some(binding),
        }
    }

    /// HelloAsso's continuation token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The ids of the page the token came with: the next page drops them.
    pub fn last_page_ids(&self) -> &[i64] {
        &self.last_page_ids
    }

    /// Whether the checkpoint was made by a listing with this fingerprint
    /// (always, for a bare token).
    pub(crate) fn binds(&self, binding: [u8; 8]) -> bool {
        self.binding.is_none_or(|b| b == binding)
    }
}

/// The fingerprint of a listing's filters, as described by `text`.
pub(crate) fn binding(text: &str) -> [u8; 8] {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = [0; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(binding) = self.binding else {
            return f.write_str(&self.token);
        };
        // Ids sorted, each written as its distance from the previous one
        // (LEB128): a page of recent ids takes two or three bytes an id.
        let mut bytes = Vec::with_capacity(16 + 3 * self.last_page_ids.len() + self.token.len());
        bytes.extend_from_slice(&binding);
        leb128(&mut bytes, self.last_page_ids.len() as u64);
        let mut previous = 0u64;
        for id in &self.last_page_ids {
            let id = id.unsigned_abs();
            leb128(&mut bytes, id - previous);
            previous = id;
        }
        bytes.extend_from_slice(self.token.as_bytes());
        // A checksum: a checkpoint cut short would otherwise read back as a
        // shorter token.
        let sum = Sha256::digest(&bytes);
        bytes.extend_from_slice(&sum[..4]);
        write!(f, "{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }
}

impl fmt::Debug for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checkpoint")
            .field("token", &self.token)
            .field("last_page_ids", &self.last_page_ids.len())
            .field("bound", &self.binding.is_some())
            .finish()
    }
}

/// A `ck1_` checkpoint that was cut or altered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("this checkpoint is damaged (cut or altered): copy it whole from the message that gave it")]
pub struct ParseCheckpointError;

impl FromStr for Checkpoint {
    type Err = ParseCheckpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some(encoded) = s.strip_prefix(PREFIX) else {
            return Ok(Self::from_token(s));
        };
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| ParseCheckpointError)?;
        let (payload, sum) = bytes.split_last_chunk::<4>().ok_or(ParseCheckpointError)?;
        if Sha256::digest(payload)[..4] != sum[..] {
            return Err(ParseCheckpointError);
        }
        let (binding, mut rest) = payload
            .split_first_chunk::<8>()
            .ok_or(ParseCheckpointError)?;
        let count = read_leb128(&mut rest)?;
        // Each id takes at least one byte: a count above that is damage.
        if count > rest.len() as u64 {
            return Err(ParseCheckpointError);
        }
        let mut ids = Vec::with_capacity(count as usize);
        let mut previous = 0u64;
        for _ in 0..count {
            previous = previous
                .checked_add(read_leb128(&mut rest)?)
                .ok_or(ParseCheckpointError)?;
            ids.push(i64::try_from(previous).map_err(|_| ParseCheckpointError)?);
        }
        let token = std::str::from_utf8(rest).map_err(|_| ParseCheckpointError)?;
        if token.is_empty() {
            return Err(ParseCheckpointError);
        }
        Ok(Self {
            token: token.to_owned(),
            last_page_ids: ids,
            binding: Some(*binding),
        })
    }
}

fn leb128(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn read_leb128(input: &mut &[u8]) -> Result<u64, ParseCheckpointError> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = input.split_first().ok_or(ParseCheckpointError)?;
        *input = rest;
        n |= u64::from(byte & 0x7f)
            .checked_shl(shift)
            .ok_or(ParseCheckpointError)?;
        if byte & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err(ParseCheckpointError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_reads_back_whole() {
        let cp = Checkpoint::new(
            "tok.en/+=".to_owned(),
            [900_000_012, 900_000_003, 5, 900_000_003],
            binding("filters"),
        );
        let text = cp.to_string();
        assert!(text.starts_with(PREFIX), "{text}");
        assert!(text.len() < 60, "{text}");
        let back: Checkpoint = text.parse().unwrap();
        assert_eq!(back, cp);
        assert_eq!(back.last_page_ids(), [5, 900_000_003, 900_000_012]);
        assert!(back.binds(binding("filters")));
        assert!(!back.binds(binding("other filters")));
    }

    #[test]
    fn a_damaged_checkpoint_is_an_error_not_a_panic() {
        let text = Checkpoint::new("t".to_owned(), [1, 2, 3], binding("f")).to_string();
        for cut in PREFIX.len()..text.len() {
            assert!(text[..cut].parse::<Checkpoint>().is_err(), "{cut}");
        }
        assert!("ck1_".parse::<Checkpoint>().is_err());
        assert!("ck1_!!".parse::<Checkpoint>().is_err());
        assert!(
            "ck1_AAAAAAAAAAD_____________AQ"
                .parse::<Checkpoint>()
                .is_err()
        );
    }
}
