//! Programs, versions and procedures: numbers in range and unique, names
//! unique, argument and result types resolved.

use std::collections::HashMap;

use super::Resolver;
use crate::ast::{TypeSpec, TypeSpecKind, Value};
use crate::diagnostic::Diagnostic;
use crate::ir::{Arg, Procedure, Program, Type, Version};
use crate::source::Span;

/// Tracks names and numbers already used in one scope.
#[derive(Default)]
struct Seen {
    names: HashMap<String, Span>,
    numbers: HashMap<u32, Span>,
}

impl Seen {
    fn check(
        &mut self,
        diags: &mut Vec<Diagnostic>,
        what: &str,
        name: &str,
        name_span: Span,
        number: Option<(u32, Span)>,
    ) {
        if what == "program" {
            // Program names are global names, checked with the others.
        } else if let Some(first) = self.names.get(name) {
            diags.push(
                Diagnostic::error(name_span, format!("duplicate {what} name `{name}`"))
                    .with_label(*first, "first defined here"),
            );
        } else {
            self.names.insert(name.to_string(), name_span);
        }
        if let Some((n, span)) = number {
            if let Some(first) = self.numbers.get(&n) {
                diags.push(
                    Diagnostic::error(span, format!("duplicate {what} number {n}"))
                        .with_label(*first, "first used here"),
                );
            } else {
                self.numbers.insert(n, span);
            }
        }
    }
}

impl Resolver<'_> {
    /// A program, version or procedure number: 0 ..= 2^32-1.
    fn number(&mut self, v: &Value, what: &str) -> Option<u32> {
        let n = self.eval(v)?;
        match u32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                self.diags.push(Diagnostic::error(
                    v.span,
                    format!("{what} number {n} is out of range (0 ..= 2^32-1)"),
                ));
                None
            }
        }
    }

    /// The type of a procedure argument or result (`void` allowed).
    fn proc_type(
        &mut self,
        ty: &TypeSpec,
        optional: bool,
        bound: Option<&Option<Value>>,
        span: Span,
        result: bool,
    ) -> Option<Type> {
        let what = if result { "a procedure result" } else { "a procedure argument" };
        match &ty.kind {
            TypeSpecKind::Opaque => {
                self.diags.push(Diagnostic::error(
                    ty.span,
                    format!("`opaque` cannot be {what}: define a typedef for it"),
                ));
                return None;
            }
            TypeSpecKind::String => {
                if optional {
                    self.diags.push(Diagnostic::error(
                        span,
                        format!("optional `string` cannot be {what}: define a typedef for it"),
                    ));
                    return None;
                }
                return Some(Type::String(match bound {
                    Some(Some(v)) => Some(self.bound(v, false)?),
                    _ => None,
                }));
            }
            _ => {}
        }
        if bound.is_some() {
            self.diags.push(Diagnostic::error(
                span,
                format!("an array cannot be {what}: define a typedef for it"),
            ));
            return None;
        }
        let ty = self.resolve_plain(ty)?;
        if optional && ty == Type::Void {
            self.diags.push(Diagnostic::error(span, "`void` cannot be optional"));
            return None;
        }
        // RFC 5531's grammar has no `*` in procedure arguments; rpcgen reads
        // `T *name` as C's pass-by-pointer and sends a plain `T` (no
        // optional-data flag on the wire), so the argument's type is `T`.
        Some(ty)
    }

    /// Resolves every program.
    pub(super) fn build_programs(&mut self) -> Vec<Option<Program>> {
        let programs = self.programs.clone();
        let mut seen_programs = Seen::default();
        programs
            .into_iter()
            .map(|(p, doc)| {
                let number = self.number(&p.number, "program");
                seen_programs.check(
                    self.diags,
                    "program",
                    &p.name.name,
                    p.name.span,
                    number.map(|n| (n, p.number.span)),
                );
                let mut seen_versions = Seen::default();
                let mut versions = Vec::new();
                for v in &p.versions {
                    let vnum = self.number(&v.number, "version");
                    seen_versions.check(
                        self.diags,
                        "version",
                        &v.name.name,
                        v.name.span,
                        vnum.map(|n| (n, v.number.span)),
                    );
                    let mut seen_procs = Seen::default();
                    let mut procedures = Vec::new();
                    for pr in &v.procedures {
                        let pnum = self.number(&pr.number, "procedure");
                        seen_procs.check(
                            self.diags,
                            "procedure",
                            &pr.name.name,
                            pr.name.span,
                            pnum.map(|n| (n, pr.number.span)),
                        );
                        let result = self.proc_type(&pr.result, false, None, pr.result.span, true);
                        let mut args = Vec::new();
                        let several = pr.args.len() > 1;
                        for a in &pr.args {
                            let Some(ty) =
                                self.proc_type(&a.ty, a.optional, a.bound.as_ref(), a.span, false)
                            else {
                                continue;
                            };
                            if ty == Type::Void {
                                if several {
                                    self.diags.push(Diagnostic::error(
                                        a.span,
                                        "`void` must be the only argument of a procedure",
                                    ));
                                }
                                continue;
                            }
                            args.push(Arg {
                                name: a.name.as_ref().map(|n| n.name.clone()),
                                ty,
                                span: a.span,
                            });
                        }
                        if let (Some(number), Some(result)) = (pnum, result) {
                            procedures.push(Procedure {
                                name: pr.name.name.clone(),
                                number,
                                args,
                                result,
                                doc: pr.doc.clone(),
                                span: pr.name.span,
                            });
                        }
                    }
                    if let Some(number) = vnum {
                        versions.push(Version {
                            name: v.name.name.clone(),
                            number,
                            procedures,
                            doc: v.doc.clone(),
                            span: v.name.span,
                        });
                    }
                }
                Some(Program {
                    name: p.name.name.clone(),
                    number: number?,
                    versions,
                    doc,
                    span: p.name.span,
                })
            })
            .collect()
    }
}
