//! Enums, structs and unions with their `Encode` and `Decode` impls.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use idl::ir::{CaseLabel, DiscriminantKind, Enum, Field, Struct, TypeId, Union};

use super::{Gen, docs_or, ident, int_lit, list, props};
use crate::names::{self, Namespace};

/// A union arm as emitted.
struct Arm<'u> {
    variant: proc_macro2::Ident,
    labels: Vec<&'u CaseLabel>,
    field: Option<&'u Field>,
    doc: Option<&'u String>,
}

/// Splits a CamelCase name before each uppercase letter, as clippy does.
fn camel_words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in name.chars() {
        match out.last_mut() {
            Some(w) if !c.is_ascii_uppercase() => w.push(c),
            _ => out.push(c.to_string()),
        }
    }
    out
}

/// `#[allow(clippy::enum_variant_names)]` when clippy would complain that
/// every variant shares a prefix or suffix word, or a variant repeats the
/// type's name: variant names come from the `.x` file, not from us.
fn variant_names_allow(type_name: &str, variants: &[String]) -> TokenStream {
    if variants.len() < 3 {
        return TokenStream::new();
    }
    let repeats_type = variants.iter().any(|v| {
        v.strip_prefix(type_name)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| !c.is_lowercase()))
            || v.ends_with(type_name)
    });
    let split: Vec<Vec<String>> = variants.iter().map(|v| camel_words(v)).collect();
    let first = split.iter().all(|w| w.first() == split[0].first());
    let last = split.iter().all(|w| w.last() == split[0].last());
    if repeats_type || first || last {
        quote!(#[allow(clippy::enum_variant_names)])
    } else {
        TokenStream::new()
    }
}

/// The Rust variant names of an enum's members: each member gets its
/// CamelCase name unless an earlier member has the same value, in which
/// case it becomes an associated constant (`None` here).
pub(crate) fn enum_variants(e: &Enum) -> Vec<Option<String>> {
    let mut ns = Namespace::default();
    let mut seen = std::collections::BTreeSet::new();
    e.members
        .iter()
        .map(|m| seen.insert(m.value).then(|| names::escape(&ns.claim(names::camel(&m.name)))))
        .collect()
}

impl Gen<'_> {
    fn derives(&self, id: TypeId, derive_default: bool) -> TokenStream {
        let p = self.props[id.index()];
        let copy = p.copy.then(|| quote!(Copy,));
        let eq = p.eq.then(|| quote!(Eq, Hash,));
        let default = (p.default && derive_default).then(|| quote!(Default,));
        quote!(#[derive(Debug, Clone, #copy PartialEq, #eq #default)])
    }

    /// The Rust variant of enum `id` with wire value `value`.
    pub(crate) fn enum_value_path(&self, id: TypeId, value: i64) -> TokenStream {
        let name = self.type_ident(id);
        if let idl::ir::TypeDefKind::Enum(e) = &self.ir.get(id).kind {
            let variants = enum_variants(e);
            if let Some(v) =
                e.members.iter().zip(&variants).find_map(|(m, v)| {
                    (i64::from(m.value) == value).then_some(v.as_ref()).flatten()
                })
            {
                let v = ident(v);
                return quote!(#name::#v);
            }
        }
        quote!(#name)
    }

    pub(super) fn enum_def(&self, id: TypeId, e: &Enum) -> TokenStream {
        let td = self.ir.get(id);
        let name = self.type_ident(id);
        let xdr = self.xdr();
        let wire_name = &td.name;
        let doc = docs_or(td.doc.as_ref(), &format!("`enum {}` from the `.x` file.", td.name));
        let variants = enum_variants(e);
        // The default is the member whose value is 0 (what C's zeroed
        // memory holds), else the first.
        let default_at = e.members.iter().position(|m| m.value == 0).unwrap_or(0);
        let mut defs = Vec::new();
        let mut consts = Vec::new();
        let mut arms = Vec::new();
        for (i, (m, v)) in e.members.iter().zip(&variants).enumerate() {
            let mdoc = docs_or(m.doc.as_ref(), &format!("`{}` = {}.", m.name, m.value));
            let value = int_lit(i128::from(m.value));
            match v {
                Some(v) => {
                    let v = ident(v);
                    let default = (i == default_at).then(|| quote!(#[default]));
                    defs.push(quote!(#mdoc #default #v = #value));
                    arms.push(quote!(#value => ::core::result::Result::Ok(Self::#v)));
                }
                None => {
                    let cname = ident(&names::escape(&names::screaming(&m.name)));
                    let target = self.enum_value_path(id, i64::from(m.value));
                    consts.push(quote!(#mdoc pub const #cname: Self = #target;));
                }
            }
        }
        let allow = variant_names_allow(
            &self.type_names[id.index()],
            &variants.iter().flatten().cloned().collect::<Vec<_>>(),
        );
        let consts = (!consts.is_empty()).then(|| quote!(impl #name { #(#consts)* }));
        quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
            #[repr(i32)]
            #allow
            pub enum #name { #(#defs,)* }
            #consts
            impl #xdr::Encode for #name {
                const FIXED_ENCODED_LEN: ::core::option::Option<usize> = ::core::option::Option::Some(4);
                fn encoded_len(&self) -> usize { 4 }
                fn encode(&self, enc: &mut #xdr::Encoder<'_>) -> #xdr::Result<()> {
                    enc.put_i32(*self as i32);
                    ::core::result::Result::Ok(())
                }
            }
            impl<'de> #xdr::Decode<'de> for #name {
                const MIN_ENCODED_LEN: usize = 4;
                fn decode(dec: &mut #xdr::Decoder<'de>) -> #xdr::Result<Self> {
                    match dec.read_i32()? {
                        #(#arms,)*
                        other => ::core::result::Result::Err(dec.invalid_enum(#wire_name, other)),
                    }
                }
            }
        }
    }

    fn fixed_len_items(fixed: Option<u64>) -> (TokenStream, Option<usize>) {
        match fixed.and_then(|n| usize::try_from(n).ok()) {
            Some(n) => {
                let lit = Literal::usize_unsuffixed(n);
                (
                    quote!(const FIXED_ENCODED_LEN: ::core::option::Option<usize> = ::core::option::Option::Some(#lit);),
                    Some(n),
                )
            }
            None => (TokenStream::new(), None),
        }
    }

    fn min_len(min: u64) -> Literal {
        Literal::usize_unsuffixed(usize::try_from(min).unwrap_or(usize::MAX))
    }

    pub(super) fn struct_def(&self, id: TypeId, s: &Struct) -> TokenStream {
        let td = self.ir.get(id);
        let name = self.type_ident(id);
        let xdr = self.xdr();
        let doc = docs_or(td.doc.as_ref(), &format!("`struct {}` from the `.x` file.", td.name));
        let node = self.is_node(id);
        let node_doc = node.then(|| self.node_doc(id, s));
        let derives = self.derives(id, true);
        let held = list::held_fields(self.ir, id, s);
        // A list node's sizes are its fields' without the link.
        let (fixed, min) = if node {
            let fixed = held.iter().map(|f| self.ir.fixed_size(&f.ty)).sum::<Option<u64>>();
            (fixed, td.min_size.saturating_sub(4))
        } else {
            (td.fixed_size, td.min_size)
        };
        let mut ns = Namespace::default();
        let fields: Vec<(proc_macro2::Ident, &Field)> = held
            .iter()
            .map(|f| (ident(&names::escape(&ns.claim(names::snake(&f.name)))), f))
            .collect();
        let defs = fields.iter().map(|(fname, f)| {
            let fdoc = docs_or(f.doc.as_ref(), &format!("`{}`.", f.name));
            let note = self.bound_note(&f.ty).map(|n| {
                let n = format!(" {n}");
                quote!(#[doc = ""] #[doc = #n])
            });
            let ty = self.ty(&f.ty);
            quote!(#fdoc #note pub #fname: #ty)
        });
        let puts = fields.iter().map(|(f, x)| {
            let wire = &x.name;
            quote!(enc.put(&self.#f).map_err(|e| e.in_field(#wire))?;)
        });
        let reads = fields.iter().map(|(f, x)| {
            let wire = &x.name;
            quote!(#f: dec.read().map_err(|e| e.in_field(#wire))?)
        });
        let enc_param = if fields.is_empty() { quote!(_enc) } else { quote!(enc) };
        let (fixed, fixed_n) = Self::fixed_len_items(fixed);
        let len_body = match fixed_n {
            Some(n) => {
                let n = Literal::usize_unsuffixed(n);
                quote!(#n)
            }
            None => {
                let lens = fields.iter().map(|(f, _)| quote!(#xdr::Encode::encoded_len(&self.#f)));
                quote!(#(#lens)+*)
            }
        };
        let min = Self::min_len(min);
        quote! {
            #doc
            #node_doc
            #derives
            pub struct #name { #(#defs,)* }
            impl #xdr::Encode for #name {
                #fixed
                fn encoded_len(&self) -> usize { #len_body }
                fn encode(&self, #enc_param: &mut #xdr::Encoder<'_>) -> #xdr::Result<()> {
                    #(#puts)*
                    ::core::result::Result::Ok(())
                }
            }
            impl<'de> #xdr::Decode<'de> for #name {
                const MIN_ENCODED_LEN: usize = #min;
                fn decode(dec: &mut #xdr::Decoder<'de>) -> #xdr::Result<Self> {
                    ::core::result::Result::Ok(Self { #(#reads,)* })
                }
            }
        }
    }

    /// The discriminant's Rust type.
    fn disc_type(&self, kind: DiscriminantKind) -> TokenStream {
        match kind {
            DiscriminantKind::Int => quote!(i32),
            DiscriminantKind::Unsigned => quote!(u32),
            DiscriminantKind::Bool => quote!(bool),
            DiscriminantKind::Enum(id) => {
                let n = self.type_ident(id);
                quote!(#n)
            }
        }
    }

    /// A single discriminant value as a pattern or expression.
    pub(crate) fn disc_value(&self, kind: DiscriminantKind, value: i64) -> TokenStream {
        match kind {
            DiscriminantKind::Int | DiscriminantKind::Unsigned => int_lit(i128::from(value)),
            DiscriminantKind::Bool => {
                if value != 0 {
                    quote!(true)
                } else {
                    quote!(false)
                }
            }
            DiscriminantKind::Enum(id) => self.enum_value_path(id, value),
        }
    }

    /// A pattern matching any of `values` (runs of consecutive integers
    /// become ranges).
    fn disc_pattern(&self, kind: DiscriminantKind, values: &[i64]) -> TokenStream {
        let mut pats = Vec::new();
        if matches!(kind, DiscriminantKind::Int | DiscriminantKind::Unsigned) {
            let mut sorted = values.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            let mut i = 0;
            while i < sorted.len() {
                let mut j = i;
                while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
                    j += 1;
                }
                let lo = int_lit(i128::from(sorted[i]));
                if j > i {
                    let hi = int_lit(i128::from(sorted[j]));
                    pats.push(quote!(#lo..=#hi));
                } else {
                    pats.push(lo);
                }
                i = j + 1;
            }
        } else {
            pats = values.iter().map(|v| self.disc_value(kind, *v)).collect();
        }
        if pats.len() == 1 { quote!(#(#pats)*) } else { quote!((#(#pats)|*)) }
    }

    /// Whether `values` cover every value of the discriminant's type.
    fn covers_all(&self, kind: DiscriminantKind, values: &[i64]) -> bool {
        match kind {
            DiscriminantKind::Bool => values.contains(&0) && values.contains(&1),
            DiscriminantKind::Enum(id) => match &self.ir.get(id).kind {
                idl::ir::TypeDefKind::Enum(e) => {
                    e.members.iter().all(|m| values.contains(&i64::from(m.value)))
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn disc_as_i64(&self, kind: DiscriminantKind, d: TokenStream) -> TokenStream {
        match kind {
            DiscriminantKind::Enum(_) => quote!(i64::from(#d as i32)),
            _ => quote!(i64::from(#d)),
        }
    }

    fn put_disc_const(&self, kind: DiscriminantKind, value: i64) -> TokenStream {
        match kind {
            DiscriminantKind::Int => {
                let v = int_lit(i128::from(value));
                quote!(enc.put_i32(#v);)
            }
            DiscriminantKind::Unsigned => {
                let v = int_lit(i128::from(value));
                quote!(enc.put_u32(#v);)
            }
            DiscriminantKind::Bool => {
                let v = int_lit(i128::from(value != 0));
                quote!(enc.put_u32(#v);)
            }
            DiscriminantKind::Enum(_) => {
                let v = self.disc_value(kind, value);
                quote!(enc.put_i32(#v as i32);)
            }
        }
    }

    fn union_arms<'u>(&self, u: &'u Union) -> (Vec<Arm<'u>>, Option<proc_macro2::Ident>) {
        let mut ns = Namespace::default();
        let default = u.default.is_some().then(|| ident(&ns.claim("Default".to_owned())));
        let arms = u
            .arms
            .iter()
            .map(|a| {
                let base = match (&a.cases[..], &a.field) {
                    ([one], _) if one.name.is_some() => one.name.clone().unwrap_or_default(),
                    (_, Some(f)) => f.name.clone(),
                    (cases, None) => match cases.iter().find_map(|c| c.name.clone()) {
                        Some(n) => n,
                        None => {
                            let v = cases.first().map_or(0, |c| c.value);
                            if v < 0 { format!("case_minus_{}", -v) } else { format!("case_{v}") }
                        }
                    },
                };
                Arm {
                    variant: ident(&names::escape(&ns.claim(names::camel(&base)))),
                    labels: a.cases.iter().collect(),
                    field: a.field.as_ref(),
                    doc: a.field.as_ref().and_then(|f| f.doc.as_ref()),
                }
            })
            .collect();
        (arms, default)
    }

    pub(super) fn union_def(&self, id: TypeId, u: &Union) -> TokenStream {
        let td = self.ir.get(id);
        let name = self.type_ident(id);
        let xdr = self.xdr();
        let wire_name = &td.name;
        let kind = u.discriminant.kind;
        let disc_ty = self.disc_type(kind);
        let disc_wire = &u.discriminant.name;
        let doc = docs_or(
            td.doc.as_ref(),
            &format!("`union {} switch ({})` from the `.x` file.", td.name, u.discriminant.name),
        );
        let derives = self.derives(id, false);
        let (arms, default_variant) = self.union_arms(u);
        let all_values: Vec<i64> =
            u.arms.iter().flat_map(|a| a.cases.iter().map(|c| c.value)).collect();

        let mut variants = Vec::new();
        let mut enc_arms = Vec::new();
        let mut len_arms = Vec::new();
        let mut dec_arms = Vec::new();
        let mut sizes = Vec::new();
        let disc_size = 4;
        for arm in &arms {
            let v = &arm.variant;
            let values: Vec<i64> = arm.labels.iter().map(|c| c.value).collect();
            let labels = arm
                .labels
                .iter()
                .map(|c| c.name.clone().unwrap_or_else(|| c.value.to_string()))
                .collect::<Vec<_>>()
                .join(", ");
            let fallback = match arm.field {
                Some(f) => format!("`case {labels}: {}`.", f.name),
                None => format!("`case {labels}: void`."),
            };
            let vdoc = docs_or(arm.doc, &fallback);
            let multi = values.len() > 1;
            let payload = arm.field.map(|f| self.ty(&f.ty));
            sizes.push(
                props::payload_size(&self.props, arm.field.map(|f| &f.ty))
                    + if multi { disc_size } else { 0 },
            );
            let read = arm.field.map(|f| {
                let w = &f.name;
                quote!(dec.read().map_err(|e| e.in_field(#w))?)
            });
            let field_name = arm.field.map(|f| f.name.as_str());
            let put_field = field_name
                .map(|w| quote!(enc.put(x).map_err(|e| e.in_field(#w))))
                .unwrap_or_else(|| quote!(::core::result::Result::Ok(())));
            if multi {
                let pat = self.disc_pattern(kind, &values);
                variants.push(match &payload {
                    Some(p) => quote!(#vdoc #v(#disc_ty, #p)),
                    None => quote!(#vdoc #v(#disc_ty)),
                });
                let (bind, bind_err, len) = match &payload {
                    Some(_) => (
                        quote!(Self::#v(d @ #pat, x)),
                        quote!(Self::#v(d, _)),
                        quote!(Self::#v(_, x) => #xdr::Encode::encoded_len(x)),
                    ),
                    None => {
                        (quote!(Self::#v(d @ #pat)), quote!(Self::#v(d)), quote!(Self::#v(_) => 0))
                    }
                };
                enc_arms.push(quote!(#bind => { enc.put(d)?; #put_field }));
                if !self.covers_all(kind, &values) {
                    let value = self.disc_as_i64(kind, quote!(*d));
                    enc_arms.push(quote!(#bind_err => ::core::result::Result::Err(#xdr::Error::WrongArm { type_name: #wire_name, value: #value })));
                }
                len_arms.push(len);
                dec_arms.push(match read {
                    Some(r) => quote!(d @ #pat => ::core::result::Result::Ok(Self::#v(d, #r))),
                    None => quote!(d @ #pat => ::core::result::Result::Ok(Self::#v(d))),
                });
            } else {
                let value = values[0];
                let pat = self.disc_value(kind, value);
                let put = self.put_disc_const(kind, value);
                variants.push(match &payload {
                    Some(p) => quote!(#vdoc #v(#p)),
                    None => quote!(#vdoc #v),
                });
                match read {
                    Some(r) => {
                        enc_arms.push(quote!(Self::#v(x) => { #put #put_field }));
                        len_arms.push(quote!(Self::#v(x) => #xdr::Encode::encoded_len(x)));
                        dec_arms.push(quote!(#pat => ::core::result::Result::Ok(Self::#v(#r))));
                    }
                    None => {
                        enc_arms.push(quote!(Self::#v => { #put #put_field }));
                        len_arms.push(quote!(Self::#v => 0));
                        dec_arms.push(quote!(#pat => ::core::result::Result::Ok(Self::#v)));
                    }
                }
            }
        }
        let covered = self.covers_all(kind, &all_values);
        if let (Some(dv), Some(field)) = (&default_variant, &u.default) {
            let payload = field.as_ref().map(|f| self.ty(&f.ty));
            let fallback = match field {
                Some(f) => format!("`default: {}`, with the discriminant.", f.name),
                None => "`default: void`, with the discriminant.".to_owned(),
            };
            let vdoc = docs_or(field.as_ref().and_then(|f| f.doc.as_ref()), &fallback);
            sizes.push(props::payload_size(&self.props, field.as_ref().map(|f| &f.ty)) + disc_size);
            variants.push(match &payload {
                Some(p) => quote!(#vdoc #dv(#disc_ty, #p)),
                None => quote!(#vdoc #dv(#disc_ty)),
            });
            let put_field = match field {
                Some(f) => {
                    let w = &f.name;
                    quote!(enc.put(x).map_err(|e| e.in_field(#w)))
                }
                None => quote!(::core::result::Result::Ok(())),
            };
            let (bind_x, bind_none, len) = match &payload {
                Some(_) => {
                    (quote!(x), quote!(_), quote!(Self::#dv(_, x) => #xdr::Encode::encoded_len(x)))
                }
                None => (TokenStream::new(), TokenStream::new(), quote!(Self::#dv(_) => 0)),
            };
            let comma = payload.as_ref().map(|_| quote!(,));
            let value = self.disc_as_i64(kind, quote!(*d));
            if covered {
                enc_arms.push(quote!(Self::#dv(d #comma #bind_none) => ::core::result::Result::Err(#xdr::Error::WrongArm { type_name: #wire_name, value: #value })));
            } else {
                if !all_values.is_empty() {
                    let pat = self.disc_pattern(kind, &all_values);
                    enc_arms.push(quote!(Self::#dv(d @ #pat #comma #bind_none) => ::core::result::Result::Err(#xdr::Error::WrongArm { type_name: #wire_name, value: #value })));
                }
                enc_arms.push(quote!(Self::#dv(d #comma #bind_x) => { enc.put(d)?; #put_field }));
                let read = field.as_ref().map(|f| {
                    let w = &f.name;
                    quote!(, dec.read().map_err(|e| e.in_field(#w))?)
                });
                dec_arms.push(quote!(d => ::core::result::Result::Ok(Self::#dv(d #read))));
            }
            len_arms.push(len);
        } else if !covered {
            let value = self.disc_as_i64(kind, quote!(other));
            dec_arms.push(quote!(other => ::core::result::Result::Err(dec.invalid_discriminant(#wire_name, #value))));
        }

        let read_disc = match kind {
            DiscriminantKind::Int => quote!(dec.read_i32()),
            DiscriminantKind::Unsigned => quote!(dec.read_u32()),
            DiscriminantKind::Bool => quote!(dec.read_bool()),
            DiscriminantKind::Enum(_) => quote!(dec.read::<#disc_ty>()),
        };
        let (fixed, fixed_n) = Self::fixed_len_items(td.fixed_size);
        let len_body = match fixed_n {
            Some(n) => {
                let n = Literal::usize_unsuffixed(n);
                quote!(#n)
            }
            None => quote!(4 + match self { #(#len_arms,)* }),
        };
        let min = Self::min_len(td.min_size);
        let mut sorted = sizes.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let large = sorted.len() > 1 && sorted[0].saturating_sub(sorted[1]) >= 150;
        let mut allows = Vec::new();
        if large {
            // Variants mirror the XDR arms; boxing one would change the API.
            allows.push(quote!(#[allow(clippy::large_enum_variant)]));
        }
        let vnames: Vec<String> = arms
            .iter()
            .map(|a| a.variant.to_string())
            .chain(default_variant.iter().map(|d| d.to_string()))
            .collect();
        allows.push(variant_names_allow(&self.type_names[id.index()], &vnames));
        let default_impl = self.union_default(id, u, &arms);
        quote! {
            #doc
            #derives
            #(#allows)*
            pub enum #name { #(#variants,)* }
            #default_impl
            impl #xdr::Encode for #name {
                #fixed
                fn encoded_len(&self) -> usize { #len_body }
                fn encode(&self, enc: &mut #xdr::Encoder<'_>) -> #xdr::Result<()> {
                    match self { #(#enc_arms,)* }
                }
            }
            impl<'de> #xdr::Decode<'de> for #name {
                const MIN_ENCODED_LEN: usize = #min;
                fn decode(dec: &mut #xdr::Decoder<'de>) -> #xdr::Result<Self> {
                    let disc = #read_disc.map_err(|e| e.in_field(#disc_wire))?;
                    match disc { #(#dec_arms,)* }
                }
            }
        }
    }

    /// `impl Default` for a union: its first arm whose payload has a default.
    fn union_default(&self, id: TypeId, u: &Union, arms: &[Arm<'_>]) -> TokenStream {
        if !self.props[id.index()].default {
            return TokenStream::new();
        }
        let name = self.type_ident(id);
        let kind = u.discriminant.kind;
        let Some(arm) =
            arms.iter().find(|a| a.field.is_none_or(|f| props::default(&self.props, &f.ty)))
        else {
            return TokenStream::new();
        };
        let v = &arm.variant;
        let dflt = quote!(::core::default::Default::default());
        let value = match (arm.labels.len() > 1, arm.field) {
            (false, None) => quote!(Self::#v),
            (false, Some(_)) => quote!(Self::#v(#dflt)),
            (true, f) => {
                let d = self.disc_value(kind, arm.labels[0].value);
                match f {
                    Some(_) => quote!(Self::#v(#d, #dflt)),
                    None => quote!(Self::#v(#d)),
                }
            }
        };
        let doc = format!(" `{v}`: the first arm whose contents have a default.");
        quote! {
            impl ::core::default::Default for #name {
                #[doc = #doc]
                fn default() -> Self { #value }
            }
        }
    }
}
