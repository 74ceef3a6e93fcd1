//! `--org` made optional: a client that reaches exactly one organization
//! acts for that one, as `gh` picks the only account it knows.

use helloasso_sdk::RetryPolicy;

use crate::config::Context;

/// `ctx` with its organization settled: the one given (flag, environment or
/// profile), else the only one HelloAsso says the client reaches. With none
/// or several, it stays unset and the command that needs one says so. The
/// question is asked only when no organization was given, and a failure to
/// answer it is left to that command's own error.
pub async fn settled(mut ctx: Context) -> Context {
    if ctx.organization_opt().is_some() {
        return ctx;
    }
    // One attempt: a question of convenience must not hold a command up.
    let once = ctx.client.with_retry_policy(RetryPolicy::disabled());
    if let Ok(reachable) = once.my_organizations().await
        && let [only] = reachable.as_slice()
        && let Some(slug) = only
            .organization_slug
            .as_deref()
            .filter(|s| !s.trim().is_empty())
    {
        ctx.set_organization(slug.to_owned());
    }
    ctx
}
