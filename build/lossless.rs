//! Decoders for the models that keep undeclared fields.
//!
//! The normalized spec gives every received model `additionalProperties: {}`,
//! so typify adds `#[serde(flatten)] extra: BTreeMap<String, Value>`. serde's
//! derived `Deserialize` for a flattened struct first buffers the whole object,
//! then decodes each field from the buffer: slower, and an error deep inside
//! loses its JSON path (`data[3].amount` becomes `.`). So the derive is
//! replaced here by a decoder of the shape serde derives for plain structs:
//! one pass over the keys, each declared field decoded in place (the path
//! stays exact), every other key kept in `extra`. Encoding keeps serde's
//! derive, whose `flatten` writes `extra` back beside the declared fields.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::ext::IdentExt;

/// Support code the decoders share, placed at the crate root.
pub const SUPPORT: &str = r#"
/// Map keys as the models' decoders read them: borrowed from the input when
/// it allows, so that a declared key costs no allocation.
#[doc(hidden)]
pub mod __lossless {
    pub enum Key<'de> {
        Borrowed(&'de str),
        Owned(::std::string::String),
    }
    impl<'de> Key<'de> {
        pub fn as_str(&self) -> &str {
            match self {
                Key::Borrowed(s) => s,
                Key::Owned(s) => s,
            }
        }
        pub fn into_string(self) -> ::std::string::String {
            match self {
                Key::Borrowed(s) => (*s).to_owned(),
                Key::Owned(s) => s,
            }
        }
    }
    impl<'de> ::serde::Deserialize<'de> for Key<'de> {
        fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
            deserializer.deserialize_str(KeyVisitor)
        }
    }
    struct KeyVisitor;
    impl<'de> ::serde::de::Visitor<'de> for KeyVisitor {
        type Value = Key<'de>;
        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            f.write_str("a field name")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> ::std::result::Result<Key<'de>, E> {
            Ok(Key::Borrowed(v))
        }
        fn visit_str<E>(self, v: &str) -> ::std::result::Result<Key<'de>, E> {
            Ok(Key::Owned(v.to_owned()))
        }
        fn visit_string<E>(self, v: ::std::string::String) -> ::std::result::Result<Key<'de>, E> {
            Ok(Key::Owned(v))
        }
    }
}
"#;

/// Replaces the derived `Deserialize` of every model in `types` that has a
/// flattened `extra` map. Fails if none has one: the spec lost its
/// `additionalProperties`, and the models would silently drop fields again.
pub fn rewrite(file: &mut syn::File) -> Result<(), String> {
    let items = super::generated_module::module(&mut file.items, "types")?;
    let mut decoders = Vec::new();
    for item in items.iter_mut() {
        let syn::Item::Struct(model) = item else {
            continue;
        };
        let fields = fields_of(model)?;
        if !fields.iter().any(|f| f.flatten) {
            continue;
        }
        if let Some(attr) = model.attrs.iter().find(|a| a.path().is_ident("serde")) {
            return Err(format!(
                "model {} has container attributes this generator does not handle: {}",
                model.ident,
                quote!(#attr)
            ));
        }
        // typify derives `Default` only when every field may be absent, and
        // counts `extra` as required: the models that could default keep it.
        let defaultable = fields
            .iter()
            .all(|f| f.flatten || !matches!(f.default, Missing::Required) || is_option(&f.ty));
        adjust_derives(model, defaultable)?;
        decoders.push(decoder(&model.ident, &fields)?);
    }
    if decoders.is_empty() {
        return Err("no model keeps undeclared fields: does the spec still say `additionalProperties: {}` on received models?".into());
    }
    for tokens in decoders {
        items.push(
            syn::parse2(tokens)
                .map_err(|e| format!("a generated decoder is not valid Rust: {e}"))?,
        );
    }
    Ok(())
}

/// What a decoder needs to know of one field.
struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    /// The key on the wire.
    wire: String,
    default: Missing,
    flatten: bool,
}

/// What a field becomes when its key is absent.
enum Missing {
    /// `#[serde(default)]`.
    Default,
    /// `#[serde(default = "path")]`.
    Function(syn::ExprPath),
    /// No default: `None` for an `Option`, else a "missing field" error.
    Required,
}

fn fields_of(model: &syn::ItemStruct) -> Result<Vec<Field>, String> {
    let name = &model.ident;
    let syn::Fields::Named(named) = &model.fields else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for field in &named.named {
        let ident = field.ident.clone().ok_or("a named field without a name")?;
        let mut spec = Field {
            wire: ident.unraw().to_string(),
            ident,
            ty: field.ty.clone(),
            default: Missing::Required,
            flatten: false,
        };
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("serde")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("rename") {
                    spec.wire = meta.value()?.parse::<syn::LitStr>()?.value();
                } else if meta.path.is_ident("default") {
                    spec.default = if meta.input.peek(syn::Token![=]) {
                        Missing::Function(meta.value()?.parse::<syn::LitStr>()?.parse()?)
                    } else {
                        Missing::Default
                    };
                } else if meta.path.is_ident("skip_serializing_if") {
                    meta.value()?.parse::<syn::LitStr>()?;
                } else if meta.path.is_ident("flatten") {
                    spec.flatten = true;
                } else {
                    return Err(meta.error("serde attribute this generator does not handle"));
                }
                Ok(())
            })
            .map_err(|e| format!("model {name}, field {}: {e}", spec.wire))?;
        }
        out.push(spec);
    }
    Ok(out)
}

/// Drops the derived `Deserialize` (replaced by [`decoder`]) and, when every
/// field may be absent, derives `Default`.
fn adjust_derives(model: &mut syn::ItemStruct, defaultable: bool) -> Result<(), String> {
    type Paths = syn::punctuated::Punctuated<syn::Path, syn::Token![,]>;
    let mut removed = false;
    let mut has_default = false;
    for attr in model
        .attrs
        .iter_mut()
        .filter(|a| a.path().is_ident("derive"))
    {
        let paths: Paths = attr
            .parse_args_with(Paths::parse_terminated)
            .map_err(|e| format!("model {}: unreadable derive: {e}", model.ident))?;
        let kept: Paths = paths
            .into_iter()
            .filter(|p| {
                let last = p.segments.last().map(|s| s.ident.to_string());
                has_default |= last.as_deref() == Some("Default");
                let is_deserialize = last.as_deref() == Some("Deserialize");
                removed |= is_deserialize;
                !is_deserialize
            })
            .collect();
        *attr = syn::parse_quote!(#[derive(#kept)]);
    }
    if defaultable && !has_default {
        model
            .attrs
            .push(syn::parse_quote!(#[derive(::std::default::Default)]));
    }
    if removed {
        Ok(())
    } else {
        Err(format!("model {} does not derive Deserialize", model.ident))
    }
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

/// How a decoder reads one declared value: date-times through the raw
/// crate's direct reader (`crate::dates`, several per payment), everything
/// else through its own `Deserialize`.
fn read_value(ty: &syn::Type) -> TokenStream {
    let text = quote!(#ty).to_string().replace(' ', "");
    match text.as_str() {
        "::chrono::DateTime<::chrono::FixedOffset>" => {
            quote!(map.next_value::<crate::dates::Direct>()?.0)
        }
        "::std::option::Option<::chrono::DateTime<::chrono::FixedOffset>>" => {
            quote!(map.next_value::<crate::dates::DirectOption>()?.0)
        }
        _ => quote!(map.next_value()?),
    }
}

fn decoder(name: &syn::Ident, fields: &[Field]) -> Result<TokenStream, String> {
    let extras: Vec<&Field> = fields.iter().filter(|f| f.flatten).collect();
    let [extra] = extras.as_slice() else {
        return Err(format!("model {name} has more than one flattened field"));
    };
    let declared: Vec<&Field> = fields.iter().filter(|f| !f.flatten).collect();
    let slots: Vec<syn::Ident> = (0..declared.len())
        .map(|i| format_ident!("field_{i}"))
        .collect();
    let types: Vec<&syn::Type> = declared.iter().map(|f| &f.ty).collect();
    let wires: Vec<&str> = declared.iter().map(|f| f.wire.as_str()).collect();
    let idents: Vec<&syn::Ident> = declared.iter().map(|f| &f.ident).collect();
    let reads: Vec<TokenStream> = declared.iter().map(|f| read_value(&f.ty)).collect();
    let missing: Vec<TokenStream> = declared
        .iter()
        .map(|f| match &f.default {
            Missing::Default => quote!(::std::default::Default::default()),
            Missing::Function(path) => quote!(#path()),
            Missing::Required if is_option(&f.ty) => quote!(::std::option::Option::None),
            Missing::Required => {
                let wire = &f.wire;
                quote!(return ::std::result::Result::Err(
                    <A::Error as ::serde::de::Error>::missing_field(#wire)
                ))
            }
        })
        .collect();
    let extra_ident = &extra.ident;
    let extra_ty = &extra.ty;
    let expecting = format!("an object ({name})");
    Ok(quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = #name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A>(self, mut map: A) -> ::std::result::Result<#name, A::Error>
                    where
                        A: ::serde::de::MapAccess<'de>,
                    {
                        #( let mut #slots: ::std::option::Option<#types> = ::std::option::Option::None; )*
                        let mut extra: #extra_ty = ::std::default::Default::default();
                        while let ::std::option::Option::Some(key) =
                            map.next_key::<crate::__lossless::Key<'de>>()?
                        {
                            match key.as_str() {
                                #(
                                    #wires => {
                                        if #slots.is_some() {
                                            return ::std::result::Result::Err(
                                                <A::Error as ::serde::de::Error>::duplicate_field(#wires),
                                            );
                                        }
                                        #slots = ::std::option::Option::Some(#reads);
                                    }
                                )*
                                _ => {
                                    extra.insert(key.into_string(), map.next_value()?);
                                }
                            }
                        }
                        ::std::result::Result::Ok(#name {
                            #( #idents: match #slots {
                                ::std::option::Option::Some(value) => value,
                                ::std::option::Option::None => #missing,
                            }, )*
                            #extra_ident: extra,
                        })
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }
    })
}
