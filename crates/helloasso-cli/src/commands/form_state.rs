//! `helloasso forms state FORM STATE`: publishes, hides or disables a form.
//! A write: sent once, and refused by read-only mode like every other.

use clap::Args;
use helloasso_sdk::types::FormState;

use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::input;

#[derive(Debug, Args)]
pub struct FormStateArgs {
    /// The form, as TYPE/SLUG or its page's URL (whose organization replaces --org)
    #[arg(value_name = "TYPE/SLUG|URL")]
    pub form: String,

    /// Its new state: Public, Private, Draft or Disabled
    pub state: String,
}

/// A form state, matched without regard to case (`private` works).
fn state(value: &str) -> CliResult<FormState> {
    let value = value.trim();
    FormState::KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(value))
        .map(|name| {
            name.parse()
                .unwrap_or(FormState::UnknownValue((*name).to_owned()))
        })
        .ok_or_else(|| {
            CliError::usage(format!(
                "unknown form state `{value}`; valid states: {}",
                FormState::KNOWN.join(", ")
            ))
        })
}

pub async fn set(ctx: &Context, args: FormStateArgs) -> CliResult {
    let (kind, slug) = input::form(&args.form)?;
    let new_state = state(&args.state)?;
    ctx.client
        .forms(ctx.organization()?)
        .set_state(kind.clone(), slug.clone(), new_state.clone())
        .await?;
    outln!(
        "form {}/{slug} is now {}",
        kind.as_str(),
        new_state.as_str()
    )
}
