//! Questions asked on the terminal: refund confirmation and MFA codes.
//!
//! Reading a terminal blocks, so each question runs on tokio's blocking
//! pool; the HTTP machinery keeps running meanwhile.

use std::io::IsTerminal;

use console::Term;
use helloasso_sdk::{MfaChallenge, SecretString};

use crate::exit::{CliError, CliResult};

/// Whether someone can answer: standard input and error are both a terminal.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Asks a yes/no question on stderr; anything but y/yes is a no.
pub async fn confirm(question: &str) -> CliResult<bool> {
    // Every question asked is about a write, which read-only mode refuses.
    if crate::read_only::active() {
        return Err(CliError::usage(crate::read_only::NOT_ASKED));
    }
    // The question quotes payers' names: none may rewrite it.
    let question = crate::terminal::clean(question).into_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let term = Term::stderr();
        term.write_str(&format!("{question} [y/N] "))?;
        term.read_line()
    })
    .await
    .map_err(|e| CliError::other(format!("the confirmation prompt failed: {e}")))?
    .map_err(|e| CliError::other(format!("cannot read the answer: {e}")))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes" | "o" | "oui"
    ))
}

/// An [`MfaProvider`](helloasso_sdk::MfaProvider) reading the code from the
/// terminal without echoing it; an empty answer gives up.
pub async fn mfa_code(challenge: MfaChallenge) -> Option<SecretString> {
    tokio::task::spawn_blocking(move || {
        let term = Term::stderr();
        let intro = if challenge.previous_proof_rejected {
            format!("HelloAsso refused that code. Enter {}", challenge.proof)
        } else {
            format!("HelloAsso asks for {}. Enter it", challenge.proof)
        };
        let line = format!(
            "{intro} (attempt {} of {}, empty to give up): ",
            challenge.attempt, challenge.max_attempts
        );
        term.write_str(&line).ok()?;
        let code = term.read_secure_line().ok()?;
        let code = code.trim().to_owned();
        (!code.is_empty()).then(|| SecretString::from(code))
    })
    .await
    .ok()
    .flatten()
}

/// Asks for one line on the terminal; `hidden` does not echo it (secrets).
pub async fn line(question: &str, hidden: bool) -> CliResult<String> {
    let question = crate::terminal::clean(question).into_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let term = Term::stderr();
        term.write_str(&question)?;
        if hidden {
            term.read_secure_line()
        } else {
            term.read_line()
        }
    })
    .await
    .map_err(|e| CliError::other(format!("the prompt failed: {e}")))?
    .map_err(|e| CliError::other(format!("cannot read the answer: {e}")))?;
    Ok(answer.trim().to_owned())
}
