//! `cargo xtask record --env sandbox|fake|URL [--out DIR]`: runs the
//! recorder (xtask/recorder), a separate crate so that `cargo xtask codegen`
//! does not build the SDK, the fake and an HTTP server first.

use std::process::Command;

use anyhow::{Context, Result, bail};

/// Options of `cargo xtask record`, passed through to the recorder.
pub struct Options {
    args: Vec<String>,
}

impl Options {
    pub fn parse(args: &[String]) -> Result<Self> {
        let mut it = args.iter();
        let mut has_env = false;
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--env" => {
                    it.next().context("--env needs sandbox, fake or a URL")?;
                    has_env = true;
                }
                "--out" => {
                    it.next().context("--out needs a directory")?;
                }
                other => bail!("record: unknown argument `{other}`"),
            }
        }
        if !has_env {
            bail!("record: --env sandbox|fake|URL is required");
        }
        Ok(Self {
            args: args.to_vec(),
        })
    }
}

pub fn run(options: &Options) -> Result<()> {
    let root = crate::codegen::root();
    // Credentials reach the recorder through the inherited environment,
    // never through its command line (visible to other users in `ps`).
    let status = Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["run", "--quiet", "-p", "helloasso-recorder", "--"])
        .args(&options.args)
        .status()
        .context("running cargo run -p helloasso-recorder")?;
    if !status.success() {
        bail!("the recorder failed (see above)");
    }
    Ok(())
}
