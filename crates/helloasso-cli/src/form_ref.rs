//! A form as people name it: `TYPE/SLUG` with HelloAsso's type names or the
//! French words of its public pages (`adhesions/adhesion-2025-2026`), or
//! the page's URL itself, which also names the organization
//! (`https://www.helloasso.com/associations/ORG/adhesions/SLUG`).

use clap::ArgMatches;
use helloasso_sdk::types::FormType;

use crate::exit::{CliError, CliResult};

/// A form named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormRef {
    /// The organization, when a URL named it.
    pub organization: Option<String>,
    pub kind: FormType,
    pub slug: String,
}

/// French names of form kinds: the path words of HelloAsso's public pages
/// (`adhesions`, `evenements`, `formulaires` for donations, `collectes`,
/// `paiements`, `boutiques`), their singulars and a few words a treasurer
/// types (`dons`, `billetteries`).
const FRENCH: &[(&str, &str)] = &[
    ("adhesion", "Membership"),
    ("adhesions", "Membership"),
    ("adhésion", "Membership"),
    ("adhésions", "Membership"),
    ("evenement", "Event"),
    ("evenements", "Event"),
    ("événement", "Event"),
    ("événements", "Event"),
    ("billetterie", "Event"),
    ("billetteries", "Event"),
    ("formulaires", "Donation"),
    ("don", "Donation"),
    ("dons", "Donation"),
    ("collecte", "CrowdFunding"),
    ("collectes", "CrowdFunding"),
    ("paiement", "PaymentForm"),
    ("paiements", "PaymentForm"),
    ("boutique", "Shop"),
    ("boutiques", "Shop"),
];

/// A form kind by HelloAsso's name (`Membership`) or a French one
/// (`adhesions`), without regard to case.
pub fn kind(value: &str) -> CliResult<FormType> {
    let value = value.trim();
    let lower = value.to_lowercase();
    FormType::KNOWN
        .iter()
        .copied()
        .find(|k| k.eq_ignore_ascii_case(value))
        .or_else(|| {
            FRENCH
                .iter()
                .find(|(french, _)| *french == lower)
                .map(|(_, name)| *name)
        })
        .map(|name| {
            name.parse()
                .unwrap_or(FormType::UnknownValue(name.to_owned()))
        })
        .ok_or_else(|| {
            CliError::usage(format!(
                "unknown form type `{value}`; valid types: {}, or in French: adhesions, evenements, dons (formulaires), collectes, paiements, boutiques",
                FormType::KNOWN.join(", ")
            ))
        })
}

/// `TYPE/SLUG` or a form's public URL.
pub fn parse(value: &str) -> CliResult<FormRef> {
    let text = value.trim();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return from_url(value, text);
    }
    let Some((kind_name, slug)) = text
        .split_once('/')
        .filter(|(k, s)| !k.trim().is_empty() && !s.trim().is_empty() && !s.contains('/'))
    else {
        return Err(CliError::usage(format!(
            "malformed --form `{value}`: expected TYPE/SLUG (e.g. Membership/adhesion-2025-2026 or adhesions/adhesion-2025-2026) or the form's URL"
        )));
    };
    Ok(FormRef {
        organization: None,
        kind: kind(kind_name)?,
        slug: slug.trim().to_owned(),
    })
}

/// `https://www.helloasso.com/associations/ORG/TYPE/SLUG[/widget...]`.
fn from_url(value: &str, text: &str) -> CliResult<FormRef> {
    let malformed = || {
        CliError::usage(format!(
            "malformed --form URL `{value}`: expected https://www.helloasso.com/associations/ORGANIZATION/TYPE/SLUG, as the form's page shows it"
        ))
    };
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    // The query and fragment (tracking, anchors) name nothing.
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let mut parts = rest.split('/');
    let host = parts.next().unwrap_or_default().to_ascii_lowercase();
    let host = host.split(':').next().unwrap_or_default();
    if !(host == "helloasso.com"
        || host.ends_with(".helloasso.com")
        || host == "helloasso-sandbox.com"
        || host.ends_with(".helloasso-sandbox.com"))
    {
        return Err(malformed());
    }
    let segments: Vec<&str> = parts.filter(|s| !s.is_empty()).collect();
    let [root, org, kind_word, slug, ..] = segments.as_slice() else {
        return Err(malformed());
    };
    if !root.eq_ignore_ascii_case("associations") {
        return Err(malformed());
    }
    Ok(FormRef {
        organization: Some((*org).to_owned()),
        kind: kind(kind_word)?,
        slug: (*slug).to_owned(),
    })
}

/// The organization a `--form` URL names, wherever the command takes
/// `--form`: it replaces --org, since the form belongs to it.
pub fn organization_in(matches: &ArgMatches) -> CliResult<Option<String>> {
    let mut current = matches;
    loop {
        if let Ok(Some(value)) = current.try_get_one::<String>("form") {
            return Ok(parse(value)?.organization);
        }
        match current.subcommand() {
            Some((_, sub)) => current = sub,
            None => return Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_organization_kind_and_slug() {
        for url in [
            "https://www.helloasso.com/associations/demo-association/adhesions/adhesion-2025-2026",
            "https://www.helloasso.com/associations/demo-association/adhesions/adhesion-2025-2026/widget",
            "HTTPS://WWW.HELLOASSO.COM/associations/demo-association/adhesions/adhesion-2025-2026?utm=x#top",
        ] {
            let form = parse(url).unwrap();
            assert_eq!(
                form.organization.as_deref(),
                Some("demo-association"),
                "{url}"
            );
            assert_eq!(form.kind, FormType::Membership, "{url}");
            assert_eq!(form.slug, "adhesion-2025-2026", "{url}");
        }
        let donation = parse("https://www.helloasso.com/associations/a/formulaires/1").unwrap();
        assert_eq!(
            (donation.kind, donation.slug.as_str()),
            (FormType::Donation, "1")
        );
    }

    #[test]
    fn french_names_are_form_types() {
        for (word, kind_) in [
            ("adhesions", FormType::Membership),
            ("Événements", FormType::Event),
            ("boutiques", FormType::Shop),
            ("dons", FormType::Donation),
            ("collectes", FormType::CrowdFunding),
            ("membership", FormType::Membership),
        ] {
            assert_eq!(kind(word).unwrap(), kind_, "{word}");
        }
        let form = parse("evenements/gala").unwrap();
        assert_eq!((form.kind, form.organization), (FormType::Event, None));
    }

    #[test]
    fn other_urls_and_words_are_refused_with_the_forms_accepted() {
        for bad in [
            "https://example.org/associations/a/adhesions/b",
            "https://www.helloasso.com/associations/a",
            "https://www.helloasso.com/e/a/adhesions/b",
            "adhesion",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.message.contains("--form"), "{bad}: {}", err.message);
        }
        let err = parse("https://www.helloasso.com/associations/a/nope/b").unwrap_err();
        assert!(err.message.contains("adhesions"), "{}", err.message);
    }
}
