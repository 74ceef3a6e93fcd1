//! Makes every generated operation builder a `crate::Request`: what the
//! facade needs to run it without being told its name or its effects.
//!
//! progenitor knows, for each builder, its success type (in `send`'s
//! signature), its operation id (in `send`'s body) and its HTTP method (in
//! `send`'s doc line); this step reads them there and writes them down as
//! an impl, so that a caller hands the facade the builder and nothing else.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote};

/// The `Request` trait itself, written at the top of the generated client:
/// its signatures name the generated `Client` and `types`, and every
/// generated builder implements it, so the two live in one file rather than
/// importing each other.
pub const TRAIT: &str = r#"
/// An operation builder of this crate (`client.get_payment()...`), seen as a
/// request: its success type, its operation id, whether it may be sent again
/// after an ambiguous failure, and how to send it.
///
/// Every builder implements it (the generator writes the impls from the
/// spec). A caller that retries builds the request once, then for each
/// attempt [`on`](Request::on)-binds a clone of it to that attempt's client
/// and [`send`](Request::send)s it.
pub trait Request: Clone + Send + Sync {
    /// What a success decodes into (`()` for an empty answer).
    type Output;
    /// The same builder bound to another client.
    type On<'b>: Request<Output = Self::Output>;
    /// The operation id in the spec, e.g. `get_payment`.
    const OPERATION_ID: &'static str;
    /// The HTTP method.
    const METHOD: ::reqwest::Method;
    /// Whether sending it twice has the effect of sending it once: true for
    /// reads only. A write (a refund, a checkout, a token grant) whose
    /// answer was lost may have been carried out, so it is never replayed.
    const REPLAYABLE: bool;

    /// This request, to be sent through `client` (its base URL, HTTP
    /// connections and per-call context) instead of the one it was built on.
    fn on<'b>(self, client: &'b Client) -> Self::On<'b>;

    /// Sends it once.
    fn send(
        self,
    ) -> impl ::std::future::Future<
        Output = ::std::result::Result<ResponseValue<Self::Output>, Error<types::ErrorBody>>,
    > + Send;
}
"#;

/// Adds `impl crate::Request` for every builder of `mod builder`.
pub fn rewrite(file: &mut syn::File) -> Result<(), String> {
    let builder = super::generated_module::module(&mut file.items, "builder")?;

    let mut impls = Vec::new();
    for item in builder.iter() {
        let syn::Item::Struct(s) = item else { continue };
        let Some(fields) = client_builder_fields(s) else {
            continue;
        };
        let send = builder
            .iter()
            .find_map(|item| send_of(item, &s.ident))
            .ok_or_else(|| format!("builder {} has no `send`", s.ident))?;
        impls.push(request_impl(&s.ident, &fields, send)?);
    }
    if impls.is_empty() {
        return Err("no operation builder found in the generated client".into());
    }
    for tokens in impls {
        let item: syn::Item =
            syn::parse2(tokens).map_err(|e| format!("a Request impl is not valid Rust: {e}"))?;
        builder.push(item);
    }
    Ok(())
}

/// The field names of an operation builder (one that borrows the client), or
/// `None` for a model builder.
fn client_builder_fields(s: &syn::ItemStruct) -> Option<Vec<syn::Ident>> {
    let syn::Fields::Named(named) = &s.fields else {
        return None;
    };
    let borrows_client = named.named.iter().any(|f| {
        f.ident.as_ref().is_some_and(|i| i == "client")
            && f.ty.to_token_stream().to_string().replace(' ', "") == "&'asuper::Client"
    });
    borrows_client.then(|| named.named.iter().filter_map(|f| f.ident.clone()).collect())
}

/// `send` of the inherent impl of `name`.
fn send_of<'a>(item: &'a syn::Item, name: &syn::Ident) -> Option<&'a syn::ImplItemFn> {
    let syn::Item::Impl(imp) = item else {
        return None;
    };
    if imp.trait_.is_some() {
        return None;
    }
    let syn::Type::Path(self_ty) = &*imp.self_ty else {
        return None;
    };
    if self_ty.path.segments.last()?.ident != *name {
        return None;
    }
    imp.items.iter().find_map(|i| match i {
        syn::ImplItem::Fn(f) if f.sig.ident == "send" => Some(f),
        _ => None,
    })
}

fn request_impl(
    name: &syn::Ident,
    fields: &[syn::Ident],
    send: &syn::ImplItemFn,
) -> Result<TokenStream, String> {
    let output = success_type(send).ok_or_else(|| {
        format!("{name}::send does not return Result<ResponseValue<T>, Error<..>>")
    })?;
    let operation_id =
        operation_id(send).ok_or_else(|| format!("{name}::send names no operation id"))?;
    let method = method(send).ok_or_else(|| format!("{name}::send documents no HTTP method"))?;
    // A read may be sent again after an ambiguous failure; anything else
    // (a refund, a checkout, a token grant) may have acted already.
    let replayable = matches!(method.as_str(), "GET" | "HEAD" | "OPTIONS");
    let method = format_ident!("{method}");
    let others: Vec<&syn::Ident> = fields.iter().filter(|f| *f != "client").collect();
    Ok(quote! {
        impl<'a> crate::Request for #name<'a> {
            type Output = #output;
            type On<'b> = #name<'b>;
            const OPERATION_ID: &'static str = #operation_id;
            const METHOD: ::reqwest::Method = ::reqwest::Method::#method;
            const REPLAYABLE: bool = #replayable;
            fn on<'b>(self, client: &'b super::Client) -> #name<'b> {
                let Self { client: _, #(#others),* } = self;
                #name { client, #(#others),* }
            }
            fn send(
                self,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<ResponseValue<#output>, Error<types::ErrorBody>>,
            > + Send {
                #name::send(self)
            }
        }
    })
}

/// `T` in `Result<ResponseValue<T>, _>`.
fn success_type(send: &syn::ImplItemFn) -> Option<syn::Type> {
    let syn::ReturnType::Type(_, ty) = &send.sig.output else {
        return None;
    };
    let result = generic_args(ty, "Result")?;
    let response = generic_args(result.first()?, "ResponseValue")?;
    response.first().cloned()
}

/// The type arguments of `ty` when its last path segment is `name`.
fn generic_args(ty: &syn::Type, name: &str) -> Option<Vec<syn::Type>> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != name {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    Some(
        args.args
            .iter()
            .filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
            .collect(),
    )
}

/// The string after `operation_id:` in `send`'s body.
fn operation_id(send: &syn::ImplItemFn) -> Option<String> {
    let body = send.block.to_token_stream().to_string();
    let rest = &body[body.find("operation_id :")? + "operation_id :".len()..];
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    Some(rest[start..end].to_owned())
}

/// The method in `send`'s doc line ("Sends a `GET` request to ...").
fn method(send: &syn::ImplItemFn) -> Option<String> {
    send.attrs.iter().find_map(|attr| {
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(doc),
            ..
        }) = &nv.value
        else {
            return None;
        };
        let doc = doc.value();
        let rest = &doc[doc.find("Sends a `")? + "Sends a `".len()..];
        let method = &rest[..rest.find('`')?];
        method
            .chars()
            .all(|c| c.is_ascii_uppercase())
            .then(|| method.to_owned())
    })
}
