//! `helloasso completions SHELL` and `helloasso man`: both generated from
//! the same clap definition as the parser, so they never drift from it.

use std::io::Write;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit::CliResult;
use crate::output::write_error;

/// Prints the completion script for `shell` on standard output.
pub fn completions(shell: Shell) -> CliResult {
    let mut command = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut command, "helloasso", &mut buf);
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// Prints the manual page (roff) on standard output.
pub fn man() -> CliResult {
    let command = Cli::command();
    let mut buf = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut buf)
        .map_err(write_error)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .map_err(write_error)
}
