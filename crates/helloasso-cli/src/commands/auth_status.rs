//! `helloasso auth status`: who the CLI acts as, where, for which
//! organizations and until when, as `gh auth status` does. The client id is
//! shortened and no token or secret is ever printed.

use chrono::Utc;
use serde_json::json;

use crate::args::Format;
use crate::config::Context;
use crate::exit::CliResult;
use crate::output;

/// What `auth status` says of the client's privileges: HelloAsso does not
/// publish them, and its 403 says only "insufficient Privileges".
const PRIVILEGES_UNKNOWN: &str = "not published by HelloAsso; a refused call names the one it needs (for example RefundManagement to refund)";

/// The client id with its middle left out: enough to tell two apart.
pub fn short_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 12 {
        return id.to_owned();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

pub async fn status(ctx: &Context, format: Format) -> CliResult {
    // The stored token when still valid, else a new one: what the next
    // command would use.
    let token = ctx.client.token().await?;
    let organizations = ctx.client.my_organizations().await?;
    let expires_at = token.expires_at();
    let minutes = (expires_at - Utc::now()).num_minutes().max(0);
    let read_only = ctx.client.is_read_only();
    let reachable: Vec<(String, String, String)> = organizations
        .iter()
        .map(|o| {
            (
                o.organization_slug.clone().unwrap_or_default(),
                o.name.clone().unwrap_or_default(),
                o.role.as_ref().map_or("", |r| r.as_str()).to_owned(),
            )
        })
        .collect();
    let raw = json!({
        "environment": ctx.environment.to_string(),
        "clientId": short_id(ctx.client.client_id()),
        "expiresAt": expires_at.to_rfc3339(),
        "readOnly": read_only,
        // Where requests go through, never the proxy's credentials.
        "proxy": ctx.client.proxy(),
        // HelloAsso publishes no way to read a client's privileges: unknown.
        "privileges": null,
        "organization": ctx.organization_opt(),
        "organizations": reachable
            .iter()
            .map(|(slug, name, role)| json!({"organizationSlug": slug, "name": name, "role": role}))
            .collect::<Vec<_>>(),
    });
    let listed = reachable
        .iter()
        .map(|(slug, name, role)| {
            // A name is HelloAsso's text: shown as data, never as terminal codes.
            let name: String = name
                .chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            format!(
                "{slug} ({name}, {})",
                if role.is_empty() { "no role" } else { role }
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    output::single(
        format,
        &raw,
        &[
            ("environment", ctx.environment.to_string()),
            ("client_id", short_id(ctx.client.client_id())),
            (
                "token_expires_at",
                format!(
                    "{} (in {minutes} min)",
                    expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                ),
            ),
            ("read_only", if read_only { "yes" } else { "no" }.to_owned()),
            // HelloAsso says which privileges a client holds nowhere; what
            // can be said is where the missing one shows.
            ("privileges", PRIVILEGES_UNKNOWN.to_owned()),
            (
                "proxy",
                ctx.client.proxy().unwrap_or("none (direct)").to_owned(),
            ),
            (
                "organization",
                ctx.organization_opt().unwrap_or("(none given)").to_owned(),
            ),
            (
                "organizations",
                if listed.is_empty() {
                    "none reachable".to_owned()
                } else {
                    listed
                },
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_shortened() {
        assert_eq!(short_id("0123456789abcdef0123"), "0123…0123");
        assert_eq!(short_id("short-id"), "short-id");
    }
}
