//! Secrets read from a file or standard input rather than the command line,
//! where every user of the machine can see them in `ps`.

use std::io::{IsTerminal, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::exit::{CliError, CliResult};

/// Standard input carries one secret at most: a second reader would get
/// nothing and fail confusingly.
static STDIN_TAKEN: AtomicBool = AtomicBool::new(false);

/// The most a secret file is read: a client secret or a key is a line, and
/// naming a large file by mistake must not load it.
const MAX_SECRET_BYTES: u64 = 16 * 1024;

/// The secret in `path` (`-`: standard input, read without echo on a
/// terminal), without its trailing line break. `flag` names the option in
/// errors; the value itself never appears in one.
pub fn read(flag: &str, path: &Path) -> CliResult<String> {
    let text = if path.as_os_str() == "-" {
        from_stdin(flag)?
    } else {
        let file = std::fs::File::open(path)
            .map_err(|e| CliError::usage(format!("{flag}: cannot open {}: {e}", path.display())))?;
        let mut text = String::new();
        file.take(MAX_SECRET_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| CliError::usage(format!("{flag}: cannot read {}: {e}", path.display())))?;
        text
    };
    let secret = text.trim_end_matches(['\r', '\n']).trim().to_owned();
    if secret.is_empty() {
        return Err(CliError::usage(format!(
            "{flag}: {} holds no value",
            if path.as_os_str() == "-" {
                "standard input".to_owned()
            } else {
                path.display().to_string()
            }
        )));
    }
    if secret.lines().count() > 1 {
        return Err(CliError::usage(format!(
            "{flag}: expected one line, found several"
        )));
    }
    Ok(secret)
}

/// The first of `file` (read) and `value` (given directly) that is present.
pub fn either(flag: &str, file: Option<&Path>, value: Option<&str>) -> CliResult<Option<String>> {
    match file {
        Some(path) => read(flag, path).map(Some),
        None => Ok(value.map(str::to_owned)),
    }
}

fn from_stdin(flag: &str) -> CliResult<String> {
    if STDIN_TAKEN.swap(true, Ordering::SeqCst) {
        return Err(CliError::usage(format!(
            "{flag}: standard input was already read for another secret; use a file"
        )));
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let term = console::Term::stderr();
        term.write_str(&format!("{flag} value (not shown): "))
            .and_then(|()| term.read_secure_line())
            .map_err(|e| CliError::usage(format!("{flag}: cannot read the terminal: {e}")))
    } else {
        let mut text = String::new();
        stdin
            .lock()
            .take(MAX_SECRET_BYTES)
            .read_to_string(&mut text)
            .map_err(|e| CliError::usage(format!("{flag}: cannot read standard input: {e}")))?;
        Ok(text)
    }
}
