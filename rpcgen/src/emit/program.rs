//! Programs: number constants, client stubs and server traits.

use std::collections::BTreeMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use idl::ir::{Procedure, Type};

use super::{Gen, docs, docs_or, ident, int_lit};
use crate::names::{self, Namespace};

/// Methods of the client struct that procedures must not take.
const RESERVED_METHODS: &[&str] =
    &["new", "create", "connect_tcp", "connect_udp", "connect_unix", "inner"];

/// The Rust names of one program.
pub(crate) struct ProgramNames {
    pub(crate) number_const: Ident,
    pub(crate) versions: Vec<VersionNames>,
}

/// The Rust names of one version.
pub(crate) struct VersionNames {
    pub(crate) number_const: Ident,
    pub(crate) client: Ident,
    pub(crate) service: Ident,
    pub(crate) server: Ident,
    /// The method answering procedure 0 when the `.x` does not declare it.
    pub(crate) auto_null: Option<Ident>,
    pub(crate) procs: Vec<ProcNames>,
}

/// The Rust names of one procedure.
pub(crate) struct ProcNames {
    pub(crate) number_const: Ident,
    pub(crate) method: Ident,
    pub(crate) args: Vec<Ident>,
    pub(crate) variants: Variants,
}

/// The client methods a procedure has besides its main one.
pub(crate) enum Variants {
    /// An answered procedure: `<name>_async` and `<name>_oneway`.
    Answered { start: Ident, oneway: Ident },
    /// A one-way procedure (its main method sends one-way): `<name>_batch`.
    OneWay { batch: Ident },
}

/// The longest common `_`-ended prefix of the procedure names, if removing
/// it leaves every name usable (at least two procedures).
fn common_prefix(procs: &[Procedure]) -> usize {
    if procs.len() < 2 {
        return 0;
    }
    let first = &procs[0].name;
    let mut len = first.len();
    for p in &procs[1..] {
        len = len.min(first.bytes().zip(p.name.bytes()).take_while(|(a, b)| a == b).count());
    }
    let Some(cut) = first[..len].rfind('_').map(|i| i + 1) else {
        return 0;
    };
    let ok = procs.iter().all(|p| {
        let rest = &p.name[cut..];
        rest.starts_with(|c: char| c.is_ascii_alphabetic())
    });
    if ok { cut } else { 0 }
}

/// Claims a constant name, sharing it with an earlier constant of the same
/// `.x` name and value (a procedure named alike in two versions).
fn claim_const(
    ns: &mut Namespace,
    shared: &mut BTreeMap<String, (u32, String)>,
    name: &str,
    value: u32,
) -> Ident {
    let rust = names::screaming(name);
    if let Some((v, r)) = shared.get(&rust) {
        if *v == value {
            return ident(r);
        }
    }
    let claimed = names::escape(&ns.claim(rust.clone()));
    shared.entry(rust).or_insert((value, claimed.clone()));
    ident(&claimed)
}

pub(super) fn name_programs(g: &mut Gen<'_>) -> Vec<ProgramNames> {
    let mut shared = BTreeMap::new();
    let mut out = Vec::new();
    for p in &g.ir.programs {
        let number_const = claim_const(&mut g.values_ns, &mut shared, &p.name, p.number);
        let mut versions = Vec::new();
        for v in &p.versions {
            let vconst = claim_const(&mut g.values_ns, &mut shared, &v.name, v.number);
            let base = format!("{}{}", names::camel(&p.name), names::camel(&v.name));
            let client = ident(&g.types_ns.claim(format!("{base}Client")));
            let service = ident(&g.types_ns.claim(base.clone()));
            let server = ident(&g.types_ns.claim(format!("{base}Server")));
            let mut methods = Namespace::default();
            for r in RESERVED_METHODS {
                methods.claim((*r).to_owned());
            }
            let auto_null = (!v.procedures.iter().any(|pr| pr.number == 0))
                .then(|| ident(&methods.claim("null".to_owned())));
            let cut = common_prefix(&v.procedures);
            let mains: Vec<(Ident, Ident, Vec<Ident>)> = v
                .procedures
                .iter()
                .map(|pr| {
                    let number_const =
                        claim_const(&mut g.values_ns, &mut shared, &pr.name, pr.number);
                    let method =
                        ident(&names::escape(&methods.claim(names::snake(&pr.name[cut..]))));
                    (number_const, method, arg_names(pr))
                })
                .collect();
            // Variants are named after the main methods, which keep their
            // plain names.
            let procs = mains
                .into_iter()
                .zip(&v.procedures)
                .map(|((number_const, method, args), pr)| {
                    let base = method.to_string().trim_start_matches("r#").to_owned();
                    let mut variant = |suffix: &str| {
                        ident(&names::escape(&methods.claim(format!("{base}_{suffix}"))))
                    };
                    let variants = if g.opts.one_way.contains(&pr.name) {
                        Variants::OneWay { batch: variant("batch") }
                    } else {
                        Variants::Answered { start: variant("async"), oneway: variant("oneway") }
                    };
                    ProcNames { number_const, method, args, variants }
                })
                .collect();
            versions.push(VersionNames {
                number_const: vconst,
                client,
                service,
                server,
                auto_null,
                procs,
            });
        }
        out.push(ProgramNames { number_const, versions });
    }
    out
}

/// The Rust names of a procedure's arguments (`ctx` is taken).
fn arg_names(pr: &Procedure) -> Vec<Ident> {
    let mut argns = Namespace::default();
    argns.claim("ctx".to_owned());
    pr.args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let base = match &a.name {
                Some(n) => names::snake(n),
                None if pr.args.len() == 1 => "arg".to_owned(),
                None => format!("arg{}", i + 1),
            };
            ident(&names::escape(&argns.claim(base)))
        })
        .collect()
}

/// The largest tuple the runtime encodes.
const MAX_TUPLE: usize = 8;

/// Several references as one encodable value: a tuple, nested in groups of
/// [`MAX_TUPLE`] when there are more arguments (the bytes are the same).
fn tuple_of(items: Vec<TokenStream>) -> TokenStream {
    if items.len() <= MAX_TUPLE {
        return quote!((#(#items,)*));
    }
    let groups: Vec<TokenStream> = items.chunks(MAX_TUPLE).map(|c| tuple_of(c.to_vec())).collect();
    tuple_of(groups)
}

impl Gen<'_> {
    pub(super) fn program_consts(&self, index: usize) -> TokenStream {
        let p = &self.ir.programs[index];
        let names = &self.programs[index];
        let pc = &names.number_const;
        let pnum = int_lit(i128::from(p.number));
        let pdoc = docs_or(p.doc.as_ref(), &format!("Program `{}`.", p.name));
        let pnote = format!(" Program number of `{}`.", p.name);
        let mut out = quote! { #pdoc #[doc = ""] #[doc = #pnote] pub const #pc: u32 = #pnum; };
        let mut seen = std::collections::BTreeSet::new();
        seen.insert(pc.to_string());
        for (v, vn) in p.versions.iter().zip(&names.versions) {
            let vc = &vn.number_const;
            if seen.insert(vc.to_string()) {
                let vnum = int_lit(i128::from(v.number));
                let vdoc =
                    docs_or(v.doc.as_ref(), &format!("Version `{}` of `{}`.", v.name, p.name));
                out.extend(quote! { #vdoc pub const #vc: u32 = #vnum; });
            }
            for (pr, pn) in v.procedures.iter().zip(&vn.procs) {
                let c = &pn.number_const;
                if seen.insert(c.to_string()) {
                    let num = int_lit(i128::from(pr.number));
                    let doc = format!(" Procedure `{}` of `{}`.", pr.name, v.name);
                    out.extend(quote! { #[doc = #doc] pub const #c: u32 = #num; });
                }
            }
        }
        out
    }

    fn result_ty(&self, t: &Type) -> TokenStream {
        if matches!(t, Type::Void) { quote!(()) } else { self.ty(t) }
    }

    fn proc_doc(&self, pr: &Procedure) -> TokenStream {
        let args = pr.args.iter().map(|a| self.x_type(&a.ty)).collect::<Vec<_>>().join(", ");
        let sig = format!("`{} {}({}) = {}`", self.x_type(&pr.result), pr.name, args, pr.number);
        match &pr.doc {
            Some(d) if !d.trim().is_empty() => {
                let d = docs(d);
                let sig = format!(" {sig}.");
                quote!(#d #[doc = ""] #[doc = #sig])
            }
            _ => docs(&format!("{sig}.")),
        }
    }

    /// A short `.x` spelling of a type for doc comments.
    fn x_type(&self, t: &Type) -> String {
        match t {
            Type::Int => "int".into(),
            Type::Unsigned => "unsigned int".into(),
            Type::Hyper => "hyper".into(),
            Type::UnsignedHyper => "unsigned hyper".into(),
            Type::Float => "float".into(),
            Type::Double => "double".into(),
            Type::Quadruple => "quadruple".into(),
            Type::Bool => "bool".into(),
            Type::Void => "void".into(),
            Type::FixedOpaque(b) => format!("opaque[{}]", b.value),
            Type::VarOpaque(b) => {
                format!("opaque<{}>", b.as_ref().map_or(String::new(), |b| b.value.to_string()))
            }
            Type::String(b) => {
                format!("string<{}>", b.as_ref().map_or(String::new(), |b| b.value.to_string()))
            }
            Type::FixedArray(i, b) => format!("{}[{}]", self.x_type(i), b.value),
            Type::VarArray(i, b) => format!(
                "{}<{}>",
                self.x_type(i),
                b.as_ref().map_or(String::new(), |b| b.value.to_string())
            ),
            Type::Optional(i) => format!("{} *", self.x_type(i)),
            Type::Named(id) => self.ir.get(*id).name.clone(),
        }
    }

    /// `#[allow(clippy::too_many_arguments)]` for methods past clippy's
    /// limit of seven parameters (the `.x` procedure has that many).
    fn many_args(count: usize) -> TokenStream {
        if count > 7 { quote!(#[allow(clippy::too_many_arguments)]) } else { TokenStream::new() }
    }

    pub(super) fn client(&self, index: usize) -> TokenStream {
        let p = &self.ir.programs[index];
        let names = &self.programs[index];
        let rt = &self.rt;
        let pc = &names.number_const;
        let mut out = TokenStream::new();
        for (v, vn) in p.versions.iter().zip(&names.versions) {
            let vc = &vn.number_const;
            let client = &vn.client;
            let doc = format!(
                " Client for version `{}` ({}) of program `{}` ({}): one method per procedure.",
                v.name, v.number, p.name, p.number
            );
            let doc2 = " Cheap to clone and usable from many threads at once; all calls share one connection.";
            let mut methods = Vec::new();
            if let Some(null) = &vn.auto_null {
                methods.push(quote! {
                    /// Procedure 0, which every program answers: a round trip with no data.
                    pub fn #null(&self) -> ::core::result::Result<(), #rt::clnt::Error> {
                        self.client.call(0, &())
                    }
                });
            }
            for (pr, pn) in v.procedures.iter().zip(&vn.procs) {
                let doc = self.proc_doc(pr);
                let m = &pn.method;
                let c = &pn.number_const;
                let params = pr.args.iter().zip(&pn.args).map(|(a, n)| {
                    let t = self.ty(&a.ty);
                    quote!(#n: &#t)
                });
                let value = match pn.args.len() {
                    0 => quote!(&()),
                    1 => {
                        let a = &pn.args[0];
                        quote!(#a)
                    }
                    _ => {
                        let t = tuple_of(pn.args.iter().map(|a| quote!(#a)).collect());
                        quote!(&#t)
                    }
                };
                let res = self.result_ty(&pr.result);
                let allow = Self::many_args(pn.args.len() + 1);
                let params: Vec<TokenStream> = params.collect();
                let name = &pr.name;
                let async_doc = format!(
                    " `{name}`, asynchronously: starts the call and returns at once; collect the reply from the `PendingCall`."
                );
                let oneway_doc = format!(
                    " `{name}`, one-way: returns once the call is sent, expecting no reply (the server's, if it sends one, is dropped)."
                );
                let batch_doc = format!(
                    " `{name}`, batched: queued on the connection and sent with the next normal call or `inner().flush()`."
                );
                let err = quote!(#rt::clnt::Error);
                match &pn.variants {
                    Variants::Answered { start, oneway } => methods.push(quote! {
                        #doc
                        #allow
                        pub fn #m(&self, #(#params),*) -> ::core::result::Result<#res, #err> {
                            self.client.call(#c, #value)
                        }
                        #[doc = #async_doc]
                        #allow
                        pub fn #start(&self, #(#params),*) -> ::core::result::Result<#rt::clnt::PendingCall<#res>, #err> {
                            self.client.start(#c, #value)
                        }
                        #[doc = #oneway_doc]
                        #allow
                        pub fn #oneway(&self, #(#params),*) -> ::core::result::Result<(), #err> {
                            self.client.send_oneway(#c, #value)
                        }
                    }),
                    Variants::OneWay { batch } => methods.push(quote! {
                        #doc
                        ///
                        /// One-way: returns once the call is sent; the server sends no reply.
                        #allow
                        pub fn #m(&self, #(#params),*) -> ::core::result::Result<(), #err> {
                            self.client.send_oneway(#c, #value)
                        }
                        #[doc = #batch_doc]
                        #allow
                        pub fn #batch(&self, #(#params),*) -> ::core::result::Result<(), #err> {
                            self.client.batch(#c, #value)
                        }
                    }),
                }
            }
            out.extend(quote! {
                #[doc = #doc]
                #[doc = ""]
                #[doc = #doc2]
                #[derive(Debug, Clone)]
                pub struct #client { client: #rt::clnt::Client }
                impl #client {
                    /// Sends calls through `client` (any transport), to this program and version.
                    pub fn new(client: #rt::clnt::Client) -> Self {
                        Self { client: client.with_program(#pc, #vc) }
                    }
                    /// Connects to the server over TCP.
                    pub fn connect_tcp(addr: impl ::std::net::ToSocketAddrs) -> ::core::result::Result<Self, #rt::clnt::Error> {
                        #rt::clnt::ClientBuilder::new(#pc, #vc).tcp(addr).map(|client| Self { client })
                    }
                    /// Sends calls to the server over UDP.
                    pub fn connect_udp(addr: impl ::std::net::ToSocketAddrs) -> ::core::result::Result<Self, #rt::clnt::Error> {
                        #rt::clnt::ClientBuilder::new(#pc, #vc).udp(addr).map(|client| Self { client })
                    }
                    /// Connects to the server over a Unix stream socket.
                    pub fn connect_unix(path: impl ::core::convert::AsRef<::std::path::Path>) -> ::core::result::Result<Self, #rt::clnt::Error> {
                        #rt::clnt::ClientBuilder::new(#pc, #vc).unix(path).map(|client| Self { client })
                    }
                    /// Finds the server through the portmapper of `host` and connects to it over `netid`, as `clnt_create` does.
                    pub fn create(host: &str, netid: #rt::portmapper::Netid) -> ::core::result::Result<Self, #rt::portmapper::Error> {
                        #rt::portmapper::connect(host, #pc, #vc, netid).map(|client| Self { client })
                    }
                    /// The underlying client (timeouts, other programs).
                    pub fn inner(&self) -> &#rt::clnt::Client { &self.client }
                    #(#methods)*
                }
            });
        }
        out
    }

    pub(super) fn server(&self, index: usize) -> TokenStream {
        let p = &self.ir.programs[index];
        let names = &self.programs[index];
        let rt = &self.rt;
        let xdr = self.xdr();
        let pc = &names.number_const;
        let mut out = TokenStream::new();
        for (v, vn) in p.versions.iter().zip(&names.versions) {
            let vc = &vn.number_const;
            let service = &vn.service;
            let server = &vn.server;
            let ctx_ty = quote!(#rt::svc::CallContext);
            let perr = quote!(#rt::svc::ProcError);
            let mut decls = Vec::new();
            let mut forwards = Vec::new();
            let mut arms = Vec::new();
            let mut inline = Vec::new();
            let mut one_way = Vec::new();
            if vn.auto_null.is_some() {
                arms.push(quote!(0 => { ::core::result::Result::Ok(()) }));
                inline.push(quote!(0));
            }
            for (pr, pn) in v.procedures.iter().zip(&vn.procs) {
                let doc = self.proc_doc(pr);
                let m = &pn.method;
                let c = &pn.number_const;
                let args = &pn.args;
                let tys: Vec<TokenStream> = pr.args.iter().map(|a| self.ty(&a.ty)).collect();
                let res = self.result_ty(&pr.result);
                let allow = Self::many_args(args.len() + 2);
                let trivial = pr.number == 0 && args.is_empty() && matches!(pr.result, Type::Void);
                if trivial {
                    decls.push(quote! {
                        #doc
                        ///
                        /// Answers with no data unless overridden. It runs on the server's
                        /// I/O thread, so an override must not block.
                        fn #m(&self, _ctx: &#ctx_ty) -> ::core::result::Result<(), #perr> {
                            ::core::result::Result::Ok(())
                        }
                    });
                    inline.push(quote!(#c));
                } else {
                    decls.push(quote! {
                        #doc
                        #allow
                        fn #m(&self, ctx: &#ctx_ty, #(#args: #tys),*) -> ::core::result::Result<#res, #perr>;
                    });
                }
                forwards.push(quote! {
                    #allow
                    fn #m(&self, ctx: &#ctx_ty, #(#args: #tys),*) -> ::core::result::Result<#res, #perr> {
                        (**self).#m(ctx, #(#args),*)
                    }
                });
                let decode = (!args.is_empty()).then(|| {
                    quote! {
                        let mut dec = #xdr::Decoder::new(args);
                        #(let #args: #tys = dec.read()?;)*
                    }
                });
                if matches!(pn.variants, Variants::OneWay { .. }) {
                    one_way.push(quote!(#c));
                }
                let call = if matches!(pr.result, Type::Void) {
                    quote! {
                        self.0.#m(ctx, #(#args),*)?;
                        ::core::result::Result::Ok(())
                    }
                } else {
                    quote! {
                        let res = self.0.#m(ctx, #(#args),*)?;
                        #xdr::append(&res, results).map_err(|_| #perr::SystemErr)
                    }
                };
                arms.push(quote!(#c => { #decode #call }));
            }
            let uses_args = v.procedures.iter().any(|pr| !pr.args.is_empty());
            let uses_results = v.procedures.iter().any(|pr| !matches!(pr.result, Type::Void));
            let args_param = if uses_args { quote!(args) } else { quote!(_args) };
            let results_param = if uses_results { quote!(results) } else { quote!(_results) };
            let doc = format!(
                " Server side of version `{}` ({}) of program `{}` ({}): implement it, then \
                 register [`{server}`] with a server.",
                v.name, v.number, p.name, p.number
            );
            let vdoc = v.doc.as_ref().map(|d| {
                let d = docs(d);
                quote!(#[doc = ""] #d)
            });
            let sdoc = format!(
                " Dispatches calls for version `{}` of `{}` to a [`{service}`] implementation.",
                v.name, p.name
            );
            let inline_body = if inline.is_empty() {
                quote!(false)
            } else {
                quote!(::core::matches!(proc_num, #(#inline)|*))
            };
            let inline_param = if inline.is_empty() { quote!(_proc_num) } else { quote!(proc_num) };
            let one_way_fn = (!one_way.is_empty()).then(|| {
                quote! {
                    fn one_way(&self, proc_num: u32) -> bool {
                        ::core::matches!(proc_num, #(#one_way)|*)
                    }
                }
            });
            out.extend(quote! {
                #[doc = #doc]
                #vdoc
                pub trait #service: ::core::marker::Send + ::core::marker::Sync + 'static {
                    #(#decls)*
                }
                impl<T: #service + ?Sized> #service for ::std::sync::Arc<T> {
                    #(#forwards)*
                }
                #[doc = #sdoc]
                ///
                /// Procedure 0 is always answered; arguments that do not decode get
                /// `GARBAGE_ARGS`, unknown procedures `PROC_UNAVAIL`.
                #[derive(Debug, Clone, Default)]
                pub struct #server<T>(pub T);
                impl<T: #service> #server<T> {
                    /// Registers this version of the program with `builder`. Register
                    /// several versions of one program to serve them all (a call to
                    /// another version gets `PROG_MISMATCH` with the range served).
                    pub fn register(self, builder: #rt::svc::ServerBuilder) -> #rt::svc::ServerBuilder {
                        builder.register(#pc, #vc, self)
                    }
                }
                impl<T: #service> #rt::svc::Dispatch for #server<T> {
                    fn dispatch(
                        &self,
                        ctx: &#ctx_ty,
                        #args_param: &[u8],
                        #results_param: &mut ::std::vec::Vec<u8>,
                    ) -> ::core::result::Result<(), #perr> {
                        match ctx.proc_num {
                            #(#arms,)*
                            _ => ::core::result::Result::Err(#perr::ProcUnavail),
                        }
                    }
                    fn runs_inline(&self, #inline_param: u32) -> bool {
                        #inline_body
                    }
                    #one_way_fn
                }
            });
        }
        out
    }
}
