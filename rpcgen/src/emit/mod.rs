//! IR -> Rust tokens. The emitters read only the [`idl::ir::Ir`].

mod list;
mod program;
mod props;
pub(crate) mod sample;
mod types;

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use idl::ir::{ConstValue, Ir, ItemRef, Origin, Type, TypeDefKind};

use crate::names::{self, Namespace};
use crate::{Error, Options};

pub(crate) use props::Props;

/// Everything the emitters share: the IR, the options and the Rust names.
pub(crate) struct Gen<'a> {
    pub(crate) ir: &'a Ir,
    pub(crate) opts: &'a Options,
    /// The runtime crate path, e.g. `::oncrpc`.
    pub(crate) rt: TokenStream,
    /// Rust name of each type, by [`idl::ir::TypeId`] index.
    pub(crate) type_names: Vec<String>,
    /// Derivable traits of each type, by index.
    pub(crate) props: Vec<Props>,
    /// Names in the type namespace.
    pub(crate) types_ns: Namespace,
    /// Names in the value namespace (constants).
    pub(crate) values_ns: Namespace,
    /// Rust names of the programs' items, by program index.
    pub(crate) programs: Vec<program::ProgramNames>,
}

/// An identifier from its text, which may be a raw identifier (`r#type`).
pub(crate) fn ident(text: &str) -> Ident {
    match text.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(text, Span::call_site()),
    }
}

/// `#[doc = "..."]` attributes for a `.x` comment. Plain prose is kept
/// as it is (each line's leading whitespace removed); a comment whose
/// layout matters to Markdown (indented lines, which would become
/// doctests, or list items) is kept verbatim in a `text` block.
pub(crate) fn docs(text: &str) -> TokenStream {
    let raw: Vec<&str> = text.lines().collect();
    let indent = raw
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let layout = raw.iter().any(|l| {
        let t = l.trim_start();
        (!t.is_empty() && l.len() - t.len() > indent)
            || ["- ", "* ", "+ ", "```"].iter().any(|m| t.starts_with(m))
            || t.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    });
    let lines: Vec<String> = if layout {
        let mut v = vec![" ```text".to_owned()];
        let body: Vec<String> = raw
            .iter()
            .map(|l| {
                let l = if l.len() >= indent && l.is_char_boundary(indent) {
                    &l[indent..]
                } else {
                    l.trim_start()
                };
                format!(" {}", l.replace("```", "'''")).trim_end().to_owned()
            })
            .collect();
        v.extend(trim_blank(&body).iter().cloned());
        v.push(" ```".to_owned());
        v
    } else {
        raw.iter().map(|l| format!(" {}", l.trim())).collect()
    };
    let lines = trim_blank(&lines);
    quote! { #( #[doc = #lines] )* }
}

fn trim_blank(lines: &[String]) -> &[String] {
    let start = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
    let end = lines.iter().rposition(|l| !l.trim().is_empty()).map_or(start, |e| e + 1);
    &lines[start..end]
}

/// The `.x` comment, else `fallback`, as doc attributes.
pub(crate) fn docs_or(doc: Option<&String>, fallback: &str) -> TokenStream {
    match doc {
        Some(d) if !d.trim().is_empty() => docs(d),
        _ => docs(fallback),
    }
}

/// An unsuffixed integer literal, negative values as `-N` tokens.
pub(crate) fn int_lit(v: i128) -> TokenStream {
    let lit = Literal::u128_unsuffixed(v.unsigned_abs());
    if v < 0 { quote!(-#lit) } else { quote!(#lit) }
}

/// Every procedure named one-way exists and returns `void`.
fn check_one_way(ir: &Ir, opts: &Options) -> Result<(), Error> {
    for name in &opts.one_way {
        let mut found = ir
            .programs
            .iter()
            .flat_map(|p| &p.versions)
            .flat_map(|v| &v.procedures)
            .filter(|pr| pr.name == *name)
            .peekable();
        let fail = |reason| Error::OneWay { name: name.clone(), reason };
        if found.peek().is_none() {
            return Err(fail("no procedure of that name"));
        }
        if found.any(|pr| !matches!(pr.result, Type::Void)) {
            return Err(fail("it returns a value: a one-way procedure must return void"));
        }
    }
    Ok(())
}

impl<'a> Gen<'a> {
    pub(crate) fn new(ir: &'a Ir, opts: &'a Options) -> Result<Gen<'a>, Error> {
        let rt: TokenStream = opts
            .runtime_path()
            .parse()
            .map_err(|_| Error::RuntimeCrate(opts.runtime_crate.clone()))?;
        check_one_way(ir, opts)?;
        let mut types_ns = Namespace::default();
        let type_names: Vec<String> = ir
            .types
            .iter()
            .map(|t| names::escape(&types_ns.claim(names::camel(&t.name))))
            .collect();
        let props = props::compute(ir);
        let mut values_ns = Namespace::default();
        let mut g = Gen {
            ir,
            opts,
            rt,
            type_names,
            props,
            types_ns,
            values_ns: Namespace::default(),
            programs: Vec::new(),
        };
        // Constants first (they keep their names), then program items.
        for c in &ir.consts {
            values_ns.claim(names::screaming(&c.name));
        }
        g.values_ns = values_ns;
        g.programs = program::name_programs(&mut g);
        Ok(g)
    }

    /// The runtime's `xdr` module path.
    pub(crate) fn xdr(&self) -> TokenStream {
        let rt = &self.rt;
        quote!(#rt::xdr)
    }

    /// The Rust name of a type definition.
    pub(crate) fn type_ident(&self, id: idl::ir::TypeId) -> Ident {
        ident(&self.type_names[id.index()])
    }

    /// The Rust type for an IR type.
    pub(crate) fn ty(&self, t: &Type) -> TokenStream {
        self.ty_with(t, &TokenStream::new())
    }

    /// The Rust type for an IR type, generated types named under `prefix`
    /// (`module::`).
    pub(crate) fn ty_with(&self, t: &Type, prefix: &TokenStream) -> TokenStream {
        let xdr = self.xdr();
        match t {
            Type::Int => quote!(i32),
            Type::Unsigned => quote!(u32),
            Type::Hyper => quote!(i64),
            Type::UnsignedHyper => quote!(u64),
            Type::Float => quote!(f32),
            Type::Double => quote!(f64),
            Type::Quadruple => quote!(#xdr::Quadruple),
            Type::Bool => quote!(bool),
            Type::Void => quote!(()),
            Type::FixedOpaque(b) => {
                let n = Literal::usize_unsuffixed(b.value as usize);
                quote!([u8; #n])
            }
            Type::VarOpaque(b) => match b {
                Some(b) => {
                    let n = Literal::u32_unsuffixed(b.value);
                    quote!(#xdr::Opaque<#n>)
                }
                None => quote!(#xdr::Opaque),
            },
            Type::String(b) => {
                let s = if self.opts.utf8_strings {
                    quote!(#xdr::Utf8String)
                } else {
                    quote!(#xdr::ByteString)
                };
                match b {
                    Some(b) => {
                        let n = Literal::u32_unsuffixed(b.value);
                        quote!(#s<#n>)
                    }
                    None => s,
                }
            }
            Type::FixedArray(inner, b) => {
                let inner = self.ty_with(inner, prefix);
                let n = Literal::usize_unsuffixed(b.value as usize);
                quote!([#inner; #n])
            }
            Type::VarArray(inner, b) => {
                let inner = self.ty_with(inner, prefix);
                match b {
                    Some(b) => {
                        let n = Literal::u32_unsuffixed(b.value);
                        quote!(#xdr::VarArray<#inner, #n>)
                    }
                    None => quote!(#xdr::VarArray<#inner>),
                }
            }
            Type::Optional(inner) => match self.node_of(inner) {
                Some(node) => self.list_ty(node, false, prefix),
                None => {
                    let inner = self.ty_with(inner, prefix);
                    quote!(::core::option::Option<::std::boxed::Box<#inner>>)
                }
            },
            Type::Named(id) if self.is_node(*id) => self.list_ty(*id, true, prefix),
            Type::Named(id) => {
                let name = self.type_ident(*id);
                quote!(#prefix #name)
            }
        }
    }

    /// A doc line describing the bound of `t`, if it is written with a
    /// constant name (`string<MAXNAME>`).
    pub(crate) fn bound_note(&self, t: &Type) -> Option<String> {
        let b = match t {
            Type::FixedOpaque(b) | Type::FixedArray(_, b) => Some(b),
            Type::VarOpaque(b) | Type::String(b) | Type::VarArray(_, b) => b.as_ref(),
            _ => None,
        }?;
        b.name.as_ref().map(|n| format!("Bound: `{n}` ({}).", b.value))
    }

    /// Whether the generator should emit this definition.
    pub(crate) fn emits(origin: Origin) -> bool {
        !matches!(origin, Origin::Imported(_))
    }

    /// The whole module.
    pub(crate) fn module(&self) -> TokenStream {
        let mut out = TokenStream::new();
        if self.opts.parts.types {
            // Library types (netobj...) and `%#define` constants are emitted
            // too: Rust has no libtirpc header to take them from.
            for (i, c) in self.ir.consts.iter().enumerate() {
                if Self::emits(c.origin) && !self.ir.items.contains(&ItemRef::Const(i)) {
                    out.extend(self.constant(c));
                }
            }
            for item in &self.ir.items {
                match item {
                    ItemRef::Const(i) => out.extend(self.constant(&self.ir.consts[*i])),
                    ItemRef::Program(p) => out.extend(self.program_consts(*p)),
                    _ => {}
                }
            }
            for (i, td) in self.ir.types.iter().enumerate() {
                if Self::emits(td.origin) {
                    out.extend(self.type_def(idl::ir::TypeId(i as u32)));
                }
            }
        }
        for p in 0..self.ir.programs.len() {
            if self.opts.parts.client {
                out.extend(self.client(p));
            }
            if self.opts.parts.server {
                out.extend(self.server(p));
            }
        }
        out
    }

    fn constant(&self, c: &idl::ir::Const) -> TokenStream {
        if !Self::emits(c.origin) {
            return TokenStream::new();
        }
        let name = ident(&names::escape(&names::screaming(&c.name)));
        let doc = docs_or(c.doc.as_ref(), &format!("`{}` from the `.x` file.", c.name));
        let (ty, value) = match &c.value {
            ConstValue::Str(s) => (quote!(&str), quote!(#s)),
            v => {
                let n = v.as_i128().unwrap_or_default();
                let ty = if u32::try_from(n).is_ok() {
                    quote!(u32)
                } else if i32::try_from(n).is_ok() {
                    quote!(i32)
                } else if u64::try_from(n).is_ok() {
                    quote!(u64)
                } else {
                    quote!(i64)
                };
                (ty, int_lit(n))
            }
        };
        quote! { #doc pub const #name: #ty = #value; }
    }

    fn type_def(&self, id: idl::ir::TypeId) -> TokenStream {
        let td = self.ir.get(id);
        match &td.kind {
            TypeDefKind::Struct(s) => self.struct_def(id, s),
            TypeDefKind::Enum(e) => self.enum_def(id, e),
            TypeDefKind::Union(u) => self.union_def(id, u),
            TypeDefKind::Typedef(t) => {
                let name = self.type_ident(id);
                let doc =
                    docs_or(td.doc.as_ref(), &format!("`typedef {}` from the `.x` file.", td.name));
                let note = self.bound_note(t).map(|n| {
                    let n = format!(" {n}");
                    quote! { #[doc = ""] #[doc = #n] }
                });
                let ty = self.ty(t);
                quote! { #doc #note pub type #name = #ty; }
            }
        }
    }
}
