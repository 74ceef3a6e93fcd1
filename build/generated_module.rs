//! Finding a module of the generated file, where each rewriting step of
//! [`generate`](super) works.

/// The items of the generated module `name` (`types`, `builder`), which
/// every rewriting step works in.
pub fn module<'a>(
    items: &'a mut [syn::Item],
    name: &str,
) -> Result<&'a mut Vec<syn::Item>, String> {
    items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
            _ => None,
        })
        .ok_or_else(|| format!("generated client has no `{name}` module"))
}
