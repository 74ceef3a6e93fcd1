//! Whether to colour: `--color`, then NO_COLOR, then whether the stream is
//! a terminal. Decided once and applied to clap, progress bars and logs.

use std::ffi::OsString;
use std::io::IsTerminal;

use crate::args::ColorChoice;

/// The choice, read from the raw arguments before clap parses them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colors {
    choice: ColorChoice,
    no_color: bool,
}

/// Finds `--color WHEN` / `--color=WHEN` among the arguments (the last one
/// wins, as clap would take it); NO_COLOR set and non-empty means never for
/// `auto`.
pub fn from_args(args: impl IntoIterator<Item = OsString>) -> Colors {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    from_parts(args, no_color)
}

fn from_parts(args: impl IntoIterator<Item = OsString>, no_color: bool) -> Colors {
    let mut choice = ColorChoice::Auto;
    let mut args = args.into_iter().map(|a| a.to_string_lossy().into_owned());
    while let Some(arg) = args.next() {
        if arg == "--" {
            break;
        }
        let value = if arg == "--color" {
            args.next()
        } else {
            arg.strip_prefix("--color=").map(str::to_owned)
        };
        match value.as_deref() {
            Some("always") => choice = ColorChoice::Always,
            Some("never") => choice = ColorChoice::Never,
            Some("auto") => choice = ColorChoice::Auto,
            _ => {}
        }
    }
    Colors { choice, no_color }
}

impl Colors {
    fn enabled(self, terminal: bool) -> bool {
        match self.choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !self.no_color,
        }
    }

    /// Colours on standard error (messages, logs, progress bars).
    pub fn stderr(self) -> bool {
        self.enabled(std::io::stderr().is_terminal())
    }

    /// Colours on standard output.
    pub fn stdout(self) -> bool {
        self.enabled(std::io::stdout().is_terminal())
    }

    /// The same choice for clap's help and usage messages.
    pub fn clap(self) -> clap::ColorChoice {
        match self.choice {
            ColorChoice::Always => clap::ColorChoice::Always,
            ColorChoice::Never => clap::ColorChoice::Never,
            ColorChoice::Auto if self.no_color => clap::ColorChoice::Never,
            ColorChoice::Auto => clap::ColorChoice::Auto,
        }
    }

    /// Makes the terminal helpers (progress bars, prompts) follow it.
    pub fn apply(self) {
        console::set_colors_enabled(self.stdout());
        console::set_colors_enabled_stderr(self.stderr());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn flag_wins_over_no_color_and_the_last_flag_wins() {
        let c = from_parts(args(&["helloasso", "--color", "always"]), true);
        assert!(c.enabled(false));
        let c = from_parts(
            args(&["helloasso", "--color=always", "--color=never"]),
            false,
        );
        assert!(!c.enabled(true));
    }

    #[test]
    fn no_color_turns_auto_off() {
        assert!(!from_parts(args(&["helloasso"]), true).enabled(true));
        assert!(from_parts(args(&["helloasso"]), false).enabled(true));
        assert!(!from_parts(args(&["helloasso"]), false).enabled(false));
        // After `--` it is an operand, not the flag.
        let c = from_parts(args(&["helloasso", "--", "--color=always"]), false);
        assert!(!c.enabled(false));
    }
}
