//! `helloasso forms state FORM STATE`: publishes, hides or disables a form.
//! A write: sent once, and refused by read-only mode like every other.

use helloasso_sdk::types::FormState;

use crate::cli::FormStateArgs;
use crate::config::Context;
use crate::exit::{CliError, CliResult};
use crate::input;

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
