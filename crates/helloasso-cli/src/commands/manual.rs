//! `helloasso completions SHELL` and `helloasso man`: both generated from
//! the same clap definition as the parser, so they never drift from it.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use clap_complete::Shell;

use crate::exit::{CliError, CliResult, EXIT_CODES_HELP};
use crate::output::write_error;

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `payments refund`
    pub command: Vec<String>,

    /// Write one page per command in this folder (helloasso-payments-refund.1...)
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Prints the completion script for `shell` on standard output.
pub fn completions(mut command: clap::Command, shell: Shell) -> CliResult {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut command, "helloasso", &mut buf);
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// Prints the manual page (roff) of `helloasso` or of one of its
/// subcommands (`helloasso man payments refund`) on standard output, or,
/// with `--dir`, writes one page per command there.
pub fn man(root: clap::Command, args: ManArgs) -> CliResult {
    let mut root = root.disable_help_subcommand(true);
    root.build();
    if let Some(dir) = &args.dir {
        crate::config::owner_only_dir(dir)?;
        return write_all(&root, dir);
    }
    let mut command = &root;
    for name in &args.command {
        command = command.find_subcommand(name).ok_or_else(|| {
            let known: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
            CliError::usage(format!(
                "no manual page for `{}`: known commands here: {}",
                args.command.join(" "),
                known.join(", ")
            ))
        })?;
    }
    let buf = page(command)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&buf)
        .and_then(|()| out.flush())
        .map_err(write_error)
}

/// One page per command, named as `man` looks them up
/// (`helloasso-payments-refund.1`).
fn write_all(command: &clap::Command, dir: &Path) -> CliResult {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_all(sub, dir)?;
    }
    let name = command
        .get_display_name()
        .unwrap_or_else(|| command.get_name())
        .to_owned();
    let path = dir.join(format!("{name}.1"));
    std::fs::write(&path, page(command)?)
        .map_err(|e| CliError::other(format!("cannot write {}: {e}", path.display())))
}

/// A page in roff. The exit codes get a section of their own, one entry
/// per code: as filled text the table ran one code into the next.
fn page(command: &clap::Command) -> CliResult<Vec<u8>> {
    let mut command = command.clone();
    let mut exit_codes = false;
    if let Some(after) = command.get_after_help().map(ToString::to_string)
        && after.contains(EXIT_CODES_HELP)
    {
        exit_codes = true;
        command = command.after_help(after.replace(EXIT_CODES_HELP, "").trim_end().to_owned());
    }
    let mut buf = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut buf)
        .map_err(write_error)?;
    if exit_codes {
        buf.extend_from_slice(exit_status_roff().as_bytes());
    }
    Ok(buf)
}

/// `EXIT_CODES_HELP` as a roff `EXIT STATUS` section: a tagged paragraph
/// per code, its continuation lines joined to it.
fn exit_status_roff() -> String {
    let mut roff = String::from(".SH \"EXIT STATUS\"\n");
    for line in EXIT_CODES_HELP.lines().skip(1) {
        let trimmed = line.trim();
        let (code, text) = match trimmed.split_once("  ") {
            Some((code, text)) if !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()) => {
                (Some(code), text)
            }
            _ => (None, trimmed),
        };
        if let Some(code) = code {
            roff.push_str(&format!(".TP\n\\fB{code}\\fR\n"));
        }
        roff.push_str(&escape(text.trim()));
        roff.push('\n');
    }
    roff
}

/// Text as roff sees it: a backslash and a leading dot or quote escaped.
fn escape(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with('.') || text.starts_with('\'') {
        format!("\\&{text}")
    } else {
        text
    }
}
