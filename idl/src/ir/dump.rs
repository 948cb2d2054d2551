//! A stable, readable text form of the IR (used by the golden tests and
//! handy when debugging a generator).

use std::fmt::Write as _;

use super::{
    Bound, ConstValue, DiscriminantKind, Field, Ir, ItemRef, Origin, Type, TypeDef, TypeDefKind,
};
use crate::source::{SourceMap, Span};

impl Ir {
    /// Renders the IR as text: constants, types in arena order with their
    /// sizes, programs, `%` lines and the item order. Locations are
    /// `LINE:COL`, prefixed by the file name outside the root file.
    pub fn dump(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        let at = |span: Span| {
            let lc = sources.line_col(span);
            if span.file.index() == 0 {
                format!("@{}:{}", lc.line, lc.col)
            } else {
                let name = sources.get(span.file).map_or("?", |f| f.name());
                format!("@{name}:{}:{}", lc.line, lc.col)
            }
        };
        let doc = |out: &mut String, indent: &str, doc: &Option<String>| {
            if let Some(d) = doc {
                for line in d.lines() {
                    let _ = writeln!(out, "{indent}/// {line}");
                }
            }
        };
        for c in &self.consts {
            doc(&mut out, "", &c.doc);
            let v = match &c.value {
                ConstValue::Signed(v) => v.to_string(),
                ConstValue::Unsigned(v) => v.to_string(),
                ConstValue::Str(s) => format!("{s:?}"),
            };
            let origin = origin_flag(c.origin, sources);
            let _ = writeln!(out, "const {} = {v} {}{origin}", c.name, at(c.span));
        }
        for (i, t) in self.types.iter().enumerate() {
            doc(&mut out, "", &t.doc);
            let kind = match &t.kind {
                TypeDefKind::Struct(_) => "struct",
                TypeDefKind::Enum(_) => "enum",
                TypeDefKind::Union(_) => "union",
                TypeDefKind::Typedef(_) => "typedef",
            };
            let fixed = t.fixed_size.map_or("-".to_string(), |f| f.to_string());
            let mut flags = String::new();
            if t.anonymous {
                flags.push_str(" anonymous");
            }
            if t.recursive {
                flags.push_str(" recursive");
            }
            flags.push_str(&origin_flag(t.origin, sources));
            let _ = write!(out, "type #{i} {kind} {} {}", t.name, at(t.span));
            let _ = writeln!(out, " [fixed {fixed}, min {}]{flags}", t.min_size);
            self.dump_body(&mut out, t, &at, &doc);
        }
        for p in &self.programs {
            doc(&mut out, "", &p.doc);
            let _ = writeln!(out, "program {} = {} {}", p.name, p.number, at(p.span));
            for v in &p.versions {
                doc(&mut out, "    ", &v.doc);
                let _ = writeln!(out, "    version {} = {} {}", v.name, v.number, at(v.span));
                for pr in &v.procedures {
                    doc(&mut out, "        ", &pr.doc);
                    let args: Vec<String> = pr
                        .args
                        .iter()
                        .map(|a| match &a.name {
                            Some(n) => format!("{} {n}", self.ty(&a.ty)),
                            None => self.ty(&a.ty),
                        })
                        .collect();
                    let _ = writeln!(
                        out,
                        "        {} {}({}) = {} {}",
                        self.ty(&pr.result),
                        pr.name,
                        args.join(", "),
                        pr.number,
                        at(pr.span)
                    );
                }
            }
        }
        for p in &self.passthrough {
            let _ = writeln!(out, "% {:?} {}", p.text, at(p.span));
        }
        let items: Vec<String> = self
            .items
            .iter()
            .map(|it| match *it {
                ItemRef::Const(i) => {
                    format!("const {}", self.consts.get(i).map_or("?", |c| &c.name))
                }
                ItemRef::Type(id) => {
                    format!("type {}", self.types.get(id.index()).map_or("?", |t| &t.name))
                }
                ItemRef::Program(i) => {
                    format!("program {}", self.programs.get(i).map_or("?", |p| &p.name))
                }
                ItemRef::Passthrough(i) => format!("%{i}"),
            })
            .collect();
        let _ = writeln!(out, "items: {}", items.join(", "));
        out
    }

    fn dump_body(
        &self,
        out: &mut String,
        t: &TypeDef,
        at: &dyn Fn(Span) -> String,
        doc: &dyn Fn(&mut String, &str, &Option<String>),
    ) {
        let field = |out: &mut String, f: &Field| {
            doc(out, "    ", &f.doc);
            let _ = writeln!(out, "    {} {} {}", self.ty(&f.ty), f.name, at(f.span));
        };
        match &t.kind {
            TypeDefKind::Struct(s) => s.fields.iter().for_each(|f| field(out, f)),
            TypeDefKind::Enum(e) => {
                for m in &e.members {
                    doc(out, "    ", &m.doc);
                    let _ = writeln!(out, "    {} = {} {}", m.name, m.value, at(m.span));
                }
            }
            TypeDefKind::Typedef(ty) => {
                let _ = writeln!(out, "    = {}", self.ty(ty));
            }
            TypeDefKind::Union(u) => {
                let d = &u.discriminant;
                let kind = match d.kind {
                    DiscriminantKind::Int => "int".to_string(),
                    DiscriminantKind::Unsigned => "unsigned".to_string(),
                    DiscriminantKind::Bool => "bool".to_string(),
                    DiscriminantKind::Enum(id) => format!("enum {}", self.ty(&Type::Named(id))),
                };
                let _ = writeln!(
                    out,
                    "    switch ({} {}) as {kind} {}",
                    self.ty(&d.ty),
                    d.name,
                    at(d.span)
                );
                for arm in &u.arms {
                    let labels: Vec<String> = arm
                        .cases
                        .iter()
                        .map(|c| match &c.name {
                            Some(n) => format!("{n}={}", c.value),
                            None => c.value.to_string(),
                        })
                        .collect();
                    let _ = writeln!(out, "    case {}:", labels.join(", "));
                    match &arm.field {
                        Some(f) => field(out, f),
                        None => out.push_str("    void\n"),
                    }
                }
                if let Some(d) = &u.default {
                    out.push_str("    default:\n");
                    match d {
                        Some(f) => field(out, f),
                        None => out.push_str("    void\n"),
                    }
                }
            }
        }
    }

    /// A type reference as text (`opaque<MAXDATA=8192>`, `node*`, `int[3]`).
    fn ty(&self, ty: &Type) -> String {
        let b = |b: &Bound| match &b.name {
            Some(n) => format!("{n}={}", b.value),
            None => b.value.to_string(),
        };
        let ob = |o: &Option<Bound>| o.as_ref().map_or(String::new(), b);
        match ty {
            Type::Int => "int".into(),
            Type::Unsigned => "unsigned".into(),
            Type::Hyper => "hyper".into(),
            Type::UnsignedHyper => "unsigned hyper".into(),
            Type::Float => "float".into(),
            Type::Double => "double".into(),
            Type::Quadruple => "quadruple".into(),
            Type::Bool => "bool".into(),
            Type::Void => "void".into(),
            Type::FixedOpaque(n) => format!("opaque[{}]", b(n)),
            Type::VarOpaque(n) => format!("opaque<{}>", ob(n)),
            Type::String(n) => format!("string<{}>", ob(n)),
            Type::FixedArray(t, n) => format!("{}[{}]", self.ty(t), b(n)),
            Type::VarArray(t, n) => format!("{}<{}>", self.ty(t), ob(n)),
            Type::Optional(t) => format!("{}*", self.ty(t)),
            Type::Named(id) => {
                self.types.get(id.index()).map_or_else(|| format!("#{}", id.0), |t| t.name.clone())
            }
        }
    }
}

fn origin_flag(origin: Origin, sources: &SourceMap) -> String {
    match origin {
        Origin::Source => String::new(),
        Origin::Library => " (library)".into(),
        Origin::Passthrough => " (from %#define)".into(),
        Origin::Imported(f) => {
            format!(" (imported from {})", sources.get(f).map_or("?", |f| f.name()))
        }
    }
}
