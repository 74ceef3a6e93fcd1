//! `Debug` for the models that carry secrets: the token endpoint's form (a
//! client secret, a refresh token, an authorization code and its PKCE
//! verifier), its answer (the token pair), a partner's API client (its
//! secret) and a notification URL (the key its notifications are signed with).
//!
//! typify derives `Debug` on every model, which would print those values
//! wherever a caller logs a request or an answer. Here the derive is taken
//! off these models (and their builders) and replaced by one that names every
//! field but shows a secret field's value as `<redacted>`.

use proc_macro2::TokenStream;
use quote::quote;

/// Models whose `Debug` must hide some fields.
const MODELS: [&str; 4] = [
    "TokenRequest",
    "TokenResponse",
    "ApiClient",
    "NotificationUrl",
];

/// Fields that hold a secret, in any of those models.
const SECRET_FIELDS: [&str; 7] = [
    "client_secret",
    "refresh_token",
    "access_token",
    "code",
    "code_verifier",
    "secret",
    "signature_key",
];

/// Rewrites the models of [`MODELS`] and their builders.
pub fn rewrite(file: &mut syn::File) -> Result<(), String> {
    let types = super::generated_module::module(&mut file.items, "types")?;
    let mut done = rewrite_in(types)?;
    let builder = super::generated_module::module(types, "builder")?;
    done += rewrite_in(builder)?;
    // A spec without these models (the codegen tests' fixture) has nothing
    // to redact; one with them must have every model and builder.
    if done != 0 && done != 2 * MODELS.len() {
        return Err(format!(
            "expected {} token models to redact (types and builders), found {done}",
            2 * MODELS.len()
        ));
    }
    Ok(())
}

/// Redacts the models of one module; returns how many it found.
fn rewrite_in(items: &mut Vec<syn::Item>) -> Result<usize, String> {
    let mut impls = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Struct(model) = item else {
            continue;
        };
        if !MODELS.iter().any(|m| model.ident == m) {
            continue;
        }
        drop_debug_derive(model)?;
        impls.push(debug_impl(model)?);
    }
    let found = impls.len();
    for tokens in impls {
        items.push(
            syn::parse2(tokens).map_err(|e| format!("a redacting Debug is not valid Rust: {e}"))?,
        );
    }
    Ok(found)
}

fn drop_debug_derive(model: &mut syn::ItemStruct) -> Result<(), String> {
    let mut removed = false;
    for attr in model
        .attrs
        .iter_mut()
        .filter(|a| a.path().is_ident("derive"))
    {
        let paths = attr
            .parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )
            .map_err(|e| format!("derive of {} is unreadable: {e}", model.ident))?;
        let kept: Vec<&syn::Path> = paths
            .iter()
            .filter(|p| {
                let debug = p.is_ident("Debug");
                removed |= debug;
                !debug
            })
            .collect();
        *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
    }
    if removed {
        Ok(())
    } else {
        Err(format!(
            "{} no longer derives Debug: update build/redact.rs",
            model.ident
        ))
    }
}

fn debug_impl(model: &syn::ItemStruct) -> Result<TokenStream, String> {
    let name = &model.ident;
    let label = name.to_string();
    let syn::Fields::Named(fields) = &model.fields else {
        return Err(format!("{name} has no named fields"));
    };
    let entries = fields.named.iter().map(|field| {
        let ident = field.ident.as_ref().expect("named field");
        let key = ident.to_string();
        if SECRET_FIELDS.contains(&key.as_str()) {
            quote!(.field(#key, &"<redacted>"))
        } else {
            quote!(.field(#key, &self.#ident))
        }
    });
    Ok(quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#label) #(#entries)* .finish()
            }
        }
    })
}
