//! `-Sc` and `-Ss`: sample client and server programs to start from.

use proc_macro2::TokenStream;
use quote::quote;

use idl::ir::Type;

use super::{Gen, ident, props};

impl Gen<'_> {
    fn has_default(&self, t: &Type) -> bool {
        props::default(&self.props, t)
    }

    /// A sample client `main`: connects, then calls every procedure.
    pub(crate) fn sample_client(&self, module: &str) -> TokenStream {
        let m = ident(module);
        let mp = quote!(#m::);
        let mut calls = Vec::new();
        for (p, pn) in self.ir.programs.iter().zip(&self.programs) {
            for (v, vn) in p.versions.iter().zip(&pn.versions) {
                let client = &vn.client;
                let mut body = Vec::new();
                if let Some(null) = &vn.auto_null {
                    let label = format!("{} {}: null: {{:?}}", p.name, v.name);
                    body.push(quote!(println!(#label, client.#null()?);));
                }
                for (pr, pc) in v.procedures.iter().zip(&vn.procs) {
                    let method = &pc.method;
                    let label = format!("{} {}: {}: {{:?}}", p.name, v.name, pr.name);
                    if pr.args.iter().all(|a| self.has_default(&a.ty)) {
                        let lets = pr.args.iter().zip(&pc.args).map(|(a, n)| {
                            let t = self.ty_with(&a.ty, &mp);
                            quote!(let #n: #t = ::core::default::Default::default();)
                        });
                        let refs = pc.args.iter().map(|n| quote!(&#n));
                        body.push(quote! {
                            {
                                #(#lets)*
                                println!(#label, client.#method(#(#refs),*)?);
                            }
                        });
                    } else {
                        let note = format!(
                            "{}: its arguments have no default value; build them and call `client.{}`.",
                            pr.name, method
                        );
                        let note = note.replace('{', "{{").replace('}', "}}");
                        body.push(quote!(println!(#note);));
                    }
                }
                calls.push(quote! {
                    {
                        let client = match transport {
                            "udp" => #m::#client::connect_udp(addr)?,
                            "unix" => #m::#client::connect_unix(addr)?,
                            _ => #m::#client::connect_tcp(addr)?,
                        };
                        #(#body)*
                    }
                });
            }
        }
        quote! {
            fn main() -> ::std::process::ExitCode {
                let mut args = ::std::env::args().skip(1);
                let addr = args.next().unwrap_or_else(|| "127.0.0.1:4751".to_owned());
                let transport = args.next().unwrap_or_else(|| "tcp".to_owned());
                match run(&addr, &transport) {
                    ::core::result::Result::Ok(()) => ::std::process::ExitCode::SUCCESS,
                    ::core::result::Result::Err(e) => {
                        eprintln!("error: {e}");
                        ::std::process::ExitCode::FAILURE
                    }
                }
            }

            /// Calls every procedure once with default arguments.
            fn run(addr: &str, transport: &str) -> ::core::result::Result<(), ::std::boxed::Box<dyn ::std::error::Error>> {
                let _ = (addr, transport);
                #(#calls)*
                ::core::result::Result::Ok(())
            }
        }
    }

    /// A sample server: one struct implementing every version's trait with
    /// placeholder bodies, and a `main` listening on TCP and UDP.
    pub(crate) fn sample_server(&self, module: &str) -> TokenStream {
        let rt = &self.rt;
        let m = ident(module);
        let mp = quote!(#m::);
        let mut impls = Vec::new();
        let mut registers = Vec::new();
        for (p, pn) in self.ir.programs.iter().zip(&self.programs) {
            for (v, vn) in p.versions.iter().zip(&pn.versions) {
                let service = &vn.service;
                let server = &vn.server;
                let mut methods = Vec::new();
                for (pr, pc) in v.procedures.iter().zip(&vn.procs) {
                    if pr.number == 0 && pr.args.is_empty() && matches!(pr.result, Type::Void) {
                        continue; // the trait answers it already
                    }
                    let method = &pc.method;
                    let params = pr.args.iter().zip(&pc.args).map(|(a, n)| {
                        let t = self.ty_with(&a.ty, &mp);
                        let n = ident(&format!("_{}", n.to_string().trim_start_matches("r#")));
                        quote!(#n: #t)
                    });
                    let (res, body) = match &pr.result {
                        Type::Void => (quote!(()), quote!(::core::result::Result::Ok(()))),
                        t => {
                            let ty = self.ty_with(t, &mp);
                            let body = if self.has_default(t) {
                                quote!(::core::result::Result::Ok(
                                    ::core::default::Default::default()
                                ))
                            } else {
                                quote!(::core::result::Result::Err(#rt::svc::ProcError::SystemErr))
                            };
                            (ty, body)
                        }
                    };
                    let doc = format!(" Fill in: `{}`.", pr.name);
                    methods.push(quote! {
                        #[doc = #doc]
                        fn #method(&self, _ctx: &#rt::svc::CallContext, #(#params),*) -> ::core::result::Result<#res, #rt::svc::ProcError> {
                            #body
                        }
                    });
                }
                impls.push(quote! {
                    impl #m::#service for Service { #(#methods)* }
                });
                registers.push(server.clone());
            }
        }
        let regs = registers.iter().map(
            |s| quote!(let builder = #m::#s(::std::sync::Arc::clone(&service)).register(builder);),
        );
        quote! {
            /// The service: one implementation of every version.
            struct Service;

            #(#impls)*

            fn main() -> ::core::result::Result<(), ::std::boxed::Box<dyn ::std::error::Error>> {
                let addr: ::std::net::SocketAddr = ::std::env::args()
                    .nth(1)
                    .unwrap_or_else(|| "127.0.0.1:4751".to_owned())
                    .parse()?;
                let service = ::std::sync::Arc::new(Service);
                let builder = #rt::svc::Server::builder().listen_tcp(addr).listen_udp(addr);
                #(#regs)*
                let server = builder.build()?;
                println!("listening on {:?}", server.local_addrs());
                server.run()?;
                ::core::result::Result::Ok(())
            }
        }
    }
}
