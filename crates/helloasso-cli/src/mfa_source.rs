//! Where a refund's MFA code comes from: a value given up front, a file or
//! a command consulted only once HelloAsso's 409 has asked for it (an SMS
//! code does not exist before the request that triggers it), or the
//! terminal. When no code comes, the refund's error says why, in the words
//! of the source that gave none; the code itself never appears anywhere.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use helloasso_sdk::{
    Error, FixedMfaCode, MfaChallenge, MfaProof, RefundPayment, SecretString, mfa_fn,
};

use crate::exit::{CliError, Kind};

/// The most a command's output is read: a code is a line.
const MAX_CODE_BYTES: u64 = 16 * 1024;

/// How the code is obtained.
enum Source {
    /// `--mfa-code` or HELLOASSO_MFA_CODE: known before anything is sent.
    Given(SecretString),
    /// `--mfa-code-file`: read once HelloAsso asked.
    File(PathBuf),
    /// `--mfa-command`: run once HelloAsso asked.
    Command(String),
    /// Asked on the terminal.
    Prompt,
    /// Nobody can answer.
    Nothing,
}

/// A refund's source of MFA codes, and why it gave none, if it did not.
pub struct MfaSource {
    source: Arc<Source>,
    gave_none: Arc<Mutex<Option<String>>>,
}

impl MfaSource {
    /// The source the refund's flags name (`--mfa-command`, else
    /// `--mfa-code-file`, else `--mfa-code`), the terminal when
    /// `interactive`, else none. Nothing is read or run yet.
    pub fn from_flags(
        command: Option<&SecretString>,
        code_file: Option<&Path>,
        code: Option<&SecretString>,
        interactive: bool,
    ) -> Self {
        let source = if let Some(command) = command {
            Source::Command(helloasso_sdk::ExposeSecret::expose_secret(command).to_owned())
        } else if let Some(path) = code_file {
            Source::File(path.to_path_buf())
        } else if let Some(code) = code {
            Source::Given(code.clone())
        } else if interactive {
            Source::Prompt
        } else {
            Source::Nothing
        };
        Self {
            source: Arc::new(source),
            gave_none: Arc::new(Mutex::new(None)),
        }
    }

    /// `request` asking this source when HelloAsso demands a proof.
    pub fn apply(&self, request: RefundPayment) -> RefundPayment {
        let ask = |source: Arc<Source>, gave_none: Arc<Mutex<Option<String>>>| {
            mfa_fn(move |challenge: MfaChallenge| {
                let (source, gave_none) = (source.clone(), gave_none.clone());
                async move {
                    let found = tokio::task::spawn_blocking(move || obtain(&source, &challenge))
                        .await
                        .unwrap_or_else(|e| {
                            Err(format!("the MFA code could not be obtained: {e}"))
                        });
                    match found {
                        Ok(code) => Some(code),
                        Err(why) => {
                            *gave_none.lock().unwrap_or_else(|p| p.into_inner()) = Some(why);
                            None
                        }
                    }
                }
            })
        };
        match &*self.source {
            // A given code is tried once: re-sending a wrong code cannot help.
            Source::Given(code) => request
                .mfa_provider(FixedMfaCode::new(code.clone()))
                .max_mfa_attempts(1),
            // A file holds one code: reading it again gives the same.
            Source::File(_) => request
                .mfa_provider(ask(self.source.clone(), self.gave_none.clone()))
                .max_mfa_attempts(1),
            // Each run of a command or each question may bring a new code.
            Source::Command(_) => {
                request.mfa_provider(ask(self.source.clone(), self.gave_none.clone()))
            }
            Source::Prompt => {
                let gave_none = self.gave_none.clone();
                request.mfa_provider(mfa_fn(move |challenge| {
                    let gave_none = gave_none.clone();
                    async move {
                        let code = crate::prompt::mfa_code(challenge).await;
                        if code.is_none() {
                            *gave_none.lock().unwrap_or_else(|p| p.into_inner()) = Some(
                                "no MFA code was entered at the prompt: the refund was given up, nothing was refunded"
                                    .to_owned(),
                            );
                        }
                        code
                    }
                }))
            }
            Source::Nothing => request,
        }
    }

    /// The error a refund ended with, said in terms of this source when it
    /// gave no code.
    pub fn explain(&self, err: Error) -> CliError {
        let Error::MfaRequired { proof, .. } = &err else {
            return err.into();
        };
        let why = self
            .gave_none
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let message = match why {
            Some(why) => why,
            None => format!(
                "HelloAsso requires {proof} to refund (code {}), and nothing can give it: nothing was refunded; pass --mfa-command CMD (run once HelloAsso asks; it prints the code) or --mfa-code-file FILE (read once HelloAsso asks), or run on a terminal to be asked",
                proof.error_code()
            ),
        };
        CliError::new(Kind::Mfa, message)
    }
}

/// The code `source` gives for `challenge`, or why it gave none.
fn obtain(source: &Source, challenge: &MfaChallenge) -> Result<SecretString, String> {
    match source {
        Source::File(path) => crate::secrets::read("--mfa-code-file", path)
            .map(SecretString::from)
            .map_err(|e| format!("{}: nothing was refunded", e.message)),
        Source::Command(command) => run_command(command, challenge).map(SecretString::from),
        Source::Given(code) => Ok(code.clone()),
        Source::Prompt | Source::Nothing => Err("no MFA code source".to_owned()),
    }
}

/// The name a command sees for `proof` in HELLOASSO_MFA_PROOF.
fn proof_name(proof: MfaProof) -> &'static str {
    match proof {
        MfaProof::SmsOtp => "sms",
        MfaProof::AccessToken => "access-token",
        MfaProof::Password => "password",
        _ => "other",
    }
}

/// Runs `command` through the shell and takes its one line of output as
/// the code. Its standard error and input stay the user's: it may talk to
/// them. The output is never quoted in an error.
fn run_command(command: &str, challenge: &MfaChallenge) -> Result<String, String> {
    let mut cmd = shell(command);
    cmd.env("HELLOASSO_MFA_PROOF", proof_name(challenge.proof))
        .env("HELLOASSO_MFA_ATTEMPT", challenge.attempt.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("--mfa-command could not be started ({e}): nothing was refunded"))?;
    let mut output = Vec::new();
    let read = child
        .stdout
        .take()
        .map(|out| out.take(MAX_CODE_BYTES).read_to_end(&mut output));
    let status = child
        .wait()
        .map_err(|e| format!("--mfa-command did not finish ({e}): nothing was refunded"))?;
    if !status.success() {
        return Err(format!(
            "--mfa-command failed ({status}): no MFA code, nothing was refunded"
        ));
    }
    if let Some(Err(e)) = read {
        return Err(format!(
            "--mfa-command's output could not be read ({e}): nothing was refunded"
        ));
    }
    let text = String::from_utf8(output)
        .map_err(|_| "--mfa-command printed no text code: nothing was refunded".to_owned())?;
    let code = text.trim();
    if code.is_empty() {
        return Err("--mfa-command printed no code: nothing was refunded".to_owned());
    }
    if code.lines().count() > 1 {
        return Err(
            "--mfa-command printed several lines, expected the code alone: nothing was refunded"
                .to_owned(),
        );
    }
    Ok(code.to_owned())
}

#[cfg(unix)]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command);
    cmd
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("cmd");
    cmd.arg("/C").arg(command);
    cmd
}
