//! Exit codes and the one-line errors behind them.
//!
//! Scripts branch on the exit code, so each code means one kind of failure
//! and never changes meaning; the table is repeated in `--help` and the
//! README.

use std::fmt;
use std::process::ExitCode;

use helloasso_sdk::{Error, ExportError};

/// Text for `--help`: keep it in step with [`Kind::code`].
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  other failure (unexpected answer, file error, refund or cancellation declined
     at the prompt)
  2  usage or invalid input (bad flag, unknown state, malformed date or amount,
     refund amount above what is left, refund or order cancellation not confirmed,
     a write refused by read-only mode before anything was sent)
  3  authentication: missing or refused credentials, access denied (401/403)
  4  not found: no such payment, order, payout, checkout intent or organization (404)
  5  multi-factor authentication needed or refused (refunds)
  6  network: HelloAsso unreachable, or a read timed out or lost its connection
  7  refused: HelloAsso refused the request (other 4xx), or a payment already
     refunded, found so before anything is sent
  8  HelloAsso unavailable: rate limited (429), or a server error (5xx) on a read;
     nothing was changed, the same command can be run later
  9  webhook signature missing or not matching
 10  a write (refund, order cancellation, checkout creation) was sent but its outcome
     is unknown (timeout, connection lost after sending, server error 5xx): check
     before retrying, a blind re-run may apply it twice
130  interrupted (Ctrl-C); an export leaves no file behind";

/// What went wrong, as far as a script cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Other,
    Usage,
    Auth,
    NotFound,
    Mfa,
    Network,
    Refused,
    Unavailable,
    Signature,
    /// A write was sent and may have been applied: never to be re-sent blindly.
    OutcomeUnknown,
    Interrupted,
}

impl Kind {
    pub fn code(self) -> u8 {
        match self {
            Kind::Other => 1,
            Kind::Usage => 2,
            Kind::Auth => 3,
            Kind::NotFound => 4,
            Kind::Mfa => 5,
            Kind::Network => 6,
            Kind::Refused => 7,
            Kind::Unavailable => 8,
            Kind::Signature => 9,
            Kind::OutcomeUnknown => 10,
            Kind::Interrupted => 130,
        }
    }
}

/// A failure of a command: printed as one `error: ...` line, then the
/// process exits with [`Kind::code`].
#[derive(Debug)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
    /// Exit without a message (the reader closed the pipe).
    pub quiet: bool,
}

pub type CliResult<T = ()> = Result<T, CliError>;

impl CliError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            quiet: false,
        }
    }

    pub fn broken_pipe() -> Self {
        Self {
            kind: Kind::Other,
            message: "the output was closed".to_owned(),
            quiet: true,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn other(message: impl Into<String>) -> Self {
        Self::new(Kind::Other, message)
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.code())
    }

    /// The message on a single line: HelloAsso's messages may carry line
    /// breaks, and scripts grep the first line. Server text in it (names,
    /// messages, tokens) never reaches the terminal as control characters.
    pub fn line(&self) -> String {
        let line = self
            .message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        crate::terminal::clean(&line).into_owned()
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

impl From<Error> for CliError {
    fn from(err: Error) -> Self {
        let kind = kind_of(&err);
        let message = match &err {
            // The sdk's text names HTTP headers; a CLI user needs the flag.
            Error::MfaRequired { proof, .. } => format!(
                "HelloAsso requires {proof} to refund (code {}): nothing was refunded; pass --mfa-command or --mfa-code-file, or run on a terminal to be asked for it",
                proof.error_code()
            ),
            Error::MfaAttemptsExhausted { proof, .. } => format!(
                "HelloAsso refused the MFA code given ({proof}, code {}): nothing was refunded; check the code and try again",
                proof.error_code()
            ),
            Error::InvalidRequest { message, .. } => message.clone(),
            Error::ReadOnly { .. } => crate::read_only::refusal(&err),
            other => other.to_string(),
        };
        CliError::new(kind, message)
    }
}

impl From<ExportError> for CliError {
    fn from(err: ExportError) -> Self {
        match err {
            ExportError::Api(e) => e.into(),
            ExportError::Write(e) => CliError::other(format!("could not write the export: {e}")),
            other => CliError::other(other.to_string()),
        }
    }
}

/// Whether a failed write may still have been applied: the SDK's rule, so
/// that the CLI and the library never disagree on when a retry is blind.
pub use helloasso_sdk::outcome_unknown;

/// The exit-10 error for a write whose outcome is unknown. `what` names the
/// write ("the refund of payment 12"), `check` how to look it up. The text
/// never repeats the SDK's own hint, which for a 5xx invites a retry.
pub fn unknown_outcome(what: &str, check: &str, err: &Error) -> CliError {
    let cause = cause_of_lost_answer(err);
    CliError::new(
        Kind::OutcomeUnknown,
        format!(
            "{what} was sent, outcome unknown ({cause}): check {check} before retrying; running the same command again could apply it twice"
        ),
    )
}

/// How the answer to a write was lost, in words that invite no retry.
pub fn cause_of_lost_answer(err: &Error) -> String {
    match err {
        Error::Transport {
            timed_out: true, ..
        } => "no answer came in time".to_owned(),
        Error::Transport { .. } => "the connection was lost after it was sent".to_owned(),
        Error::Api { status, code, .. } => match code {
            Some(code) => format!("HelloAsso answered HTTP {}: {code}", status.as_u16()),
            None => format!("HelloAsso answered HTTP {}", status.as_u16()),
        },
        Error::Decode { .. } => "HelloAsso's answer could not be read".to_owned(),
        Error::ResponseTooLarge { .. } => "HelloAsso's answer was too large to read".to_owned(),
        _ => "its answer was lost".to_owned(),
    }
}

fn kind_of(err: &Error) -> Kind {
    match err {
        Error::OAuth { .. } => Kind::Auth,
        Error::MfaRequired { .. }
        | Error::MfaAttemptsExhausted { .. }
        | Error::UserNotEnrolled { .. } => Kind::Mfa,
        Error::RateLimited { .. } => Kind::Unavailable,
        Error::Transport { .. } => Kind::Network,
        Error::InvalidRequest { .. } | Error::ReadOnly { .. } => Kind::Usage,
        Error::Api { status, .. } => match status.as_u16() {
            401 | 403 => Kind::Auth,
            404 => Kind::NotFound,
            429 | 500..=599 => Kind::Unavailable,
            _ => Kind::Refused,
        },
        _ => Kind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_code() {
        for kind in [
            Kind::Other,
            Kind::Usage,
            Kind::Auth,
            Kind::NotFound,
            Kind::Mfa,
            Kind::Network,
            Kind::Refused,
            Kind::Unavailable,
            Kind::Signature,
            Kind::OutcomeUnknown,
            Kind::Interrupted,
        ] {
            let line = format!("\n{:>3}  ", kind.code());
            assert!(EXIT_CODES_HELP.contains(&line), "{kind:?}");
        }
    }

    #[test]
    fn messages_stay_on_one_line() {
        let err = CliError::other("first\nsecond\r\n  third");
        assert_eq!(err.line(), "first second third");
    }

    #[test]
    fn server_text_in_a_message_cannot_drive_the_terminal() {
        let err = CliError::other("payment of \u{1b}]0;pwned\u{7}Zoé\u{1b}[2K");
        assert_eq!(err.line(), "payment of \\u{1b}]0;pwned\\u{7}Zoé\\u{1b}[2K");
    }
}
