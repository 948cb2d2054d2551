//! The resolver: AST to [`Ir`](crate::ir::Ir).
//!
//! Passes: collect names (one namespace for types, constants, enum members
//! and programs, as in RFC 4506 section 6.4 and in rpcgen's C output),
//! evaluate constants, resolve every type reference, check unions and
//! programs, reject types of infinite size, order the types, compute sizes.

mod order;
mod programs;
mod types;
mod values;

use std::collections::HashMap;

use crate::ast::{
    DeclKind, Declaration, Definition, DefinitionKind, EnumBody, Item, Passthrough, Spec,
    StructBody, Tag, TypeSpec, TypeSpecKind, UnionBody,
};
use crate::diagnostic::Diagnostic;
use crate::ir::{Const, Ir, Origin, TypeDefKind};
use crate::source::Span;
use values::VState;

/// What a global name stands for (indices into the resolver's tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sym {
    Type(usize),
    Const(usize),
    Member(usize, usize),
    Program(usize),
}

impl Sym {
    fn describe(self) -> &'static str {
        match self {
            Sym::Type(_) => "type",
            Sym::Const(_) => "constant",
            Sym::Member(..) => "enum member",
            Sym::Program(_) => "program",
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct NameEntry {
    sym: Sym,
    span: Span,
}

/// The body of a type definition as written.
#[derive(Debug, Clone, Copy)]
enum TBody<'a> {
    Struct(&'a StructBody),
    Union(&'a UnionBody),
    Enum(&'a EnumBody),
    Typedef(&'a Declaration),
}

/// A type definition found while collecting (named or inline).
#[derive(Debug)]
struct TDef<'a> {
    name: String,
    span: Span,
    doc: Option<String>,
    body: TBody<'a>,
    anonymous: bool,
    origin: Origin,
}

#[derive(Debug)]
struct TConst<'a> {
    name: String,
    span: Span,
    doc: Option<String>,
    value: &'a crate::ast::Value,
    origin: Origin,
}

/// Top-level items in source order, by table index.
#[derive(Debug, Clone, Copy)]
enum TItem {
    Const(usize),
    Type(usize),
    Program(usize),
    Passthrough(usize),
}

struct Resolver<'a> {
    diags: &'a mut Vec<Diagnostic>,
    names: HashMap<String, NameEntry>,
    consts: Vec<TConst<'a>>,
    defs: Vec<TDef<'a>>,
    /// Inline type specifiers (by address) to the definition made for them.
    anon: HashMap<usize, usize>,
    programs: Vec<(&'a crate::ast::Program, Option<String>)>,
    passthrough: Vec<Passthrough>,
    items: Vec<TItem>,
    const_state: Vec<VState>,
    const_str: Vec<Option<String>>,
    member_state: HashMap<(usize, usize), VState>,
    kinds: Vec<Option<TypeDefKind>>,
    /// Origin given to definitions being collected.
    origin: Origin,
    /// libtirpc definitions not yet used (activated on first use).
    library: HashMap<String, &'a Definition>,
    /// `typedef struct X X;` lines to check once everything is collected.
    self_typedefs: Vec<(&'a crate::ast::Ident, Tag, Span)>,
    /// Program, version and procedure numbers by name (rpcgen `#define`s
    /// them, and `rpcb_prot.x` uses them as constants).
    proc_consts: HashMap<String, i128>,
    /// The numbers as written, evaluated when first used as a constant.
    proc_values: HashMap<String, &'a crate::ast::Value>,
    /// Depth of nested evaluations of `proc_values`.
    proc_depth: u32,
    /// `%#define NAME BODY` lines: body and the line's span.
    c_defines: HashMap<String, (String, Span)>,
    /// Values of `%#define`s evaluated so far.
    c_cache: HashMap<String, Option<i128>>,
    /// `%#define`s used as constants, for the IR.
    c_consts: Vec<Const>,
}

/// Resolves `spec` (with the definitions of `imports` visible and the
/// `library` definitions available on use). Returns the IR if no error was
/// found; diagnostics go to `diags` either way.
pub(crate) fn resolve(
    spec: &Spec,
    imports: &[(Spec, crate::source::FileId)],
    library: &Spec,
    diags: &mut Vec<Diagnostic>,
) -> Option<Ir> {
    let errors_before = diags.iter().filter(|d| d.is_error()).count();
    let mut r = Resolver {
        diags,
        names: HashMap::new(),
        consts: Vec::new(),
        defs: Vec::new(),
        anon: HashMap::new(),
        programs: Vec::new(),
        passthrough: Vec::new(),
        items: Vec::new(),
        const_state: Vec::new(),
        const_str: Vec::new(),
        member_state: HashMap::new(),
        kinds: Vec::new(),
        origin: Origin::Source,
        library: HashMap::new(),
        self_typedefs: Vec::new(),
        proc_consts: HashMap::new(),
        proc_values: HashMap::new(),
        proc_depth: 0,
        c_defines: HashMap::new(),
        c_cache: HashMap::new(),
        c_consts: Vec::new(),
    };
    for (imported, file) in imports {
        r.origin = Origin::Imported(*file);
        r.collect(imported, false);
    }
    r.origin = Origin::Source;
    r.collect(spec, true);
    r.library = library
        .items
        .iter()
        .filter_map(|it| match it {
            Item::Definition(d) => Some(d),
            Item::Passthrough(_) => None,
        })
        .filter_map(|d| match &d.kind {
            DefinitionKind::Const { name, .. } => Some((name.name.clone(), d)),
            DefinitionKind::Typedef(Declaration { name: Some(n), .. })
            | DefinitionKind::Struct(n, _)
            | DefinitionKind::Union(n, _)
            | DefinitionKind::Enum(n, _) => Some((n.name.clone(), d)),
            _ => None,
        })
        .filter(|(name, _)| !r.names.contains_key(name))
        .collect();
    r.check_self_typedefs();
    let built = r.build_kinds(0);
    r.check_unions();
    let programs = r.build_programs();
    // Library types first used by a union or a procedure.
    r.build_kinds(built);
    let consts = r.eval_consts();
    let errors = r.diags.iter().filter(|d| d.is_error()).count();
    if errors > errors_before {
        // Still look for infinite types: an independent error worth reporting.
        r.check_infinite();
        return None;
    }
    if !r.check_infinite() {
        return None;
    }
    let mut ir = r.finish(consts, programs);
    let overflow = crate::ir::compute_sizes(&mut ir);
    for id in &overflow {
        let t = ir.get(*id);
        r.diags.push(Diagnostic::error(
            t.span,
            format!("type `{}` is too large: its encoded size exceeds 2^64-1 bytes", t.name),
        ));
    }
    if overflow.is_empty() { Some(ir) } else { None }
}

/// "a type", "an enum member".
fn a(noun: &str) -> String {
    if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

fn spec_key(spec: &TypeSpec) -> usize {
    std::ptr::from_ref(spec) as usize
}

impl<'a> Resolver<'a> {
    /// Declares a global name, reporting a duplicate.
    fn declare(&mut self, name: &str, sym: Sym, span: Span, anonymous: bool) -> bool {
        if let Some(old) = self.names.get(name) {
            let (new_kind, old_kind) = (sym.describe(), old.sym.describe());
            let message = if new_kind == old_kind {
                format!("duplicate {new_kind} `{name}`")
            } else {
                format!("{new_kind} `{name}` has the same name as a {old_kind}")
            };
            let mut d = Diagnostic::error(span, message).with_label(old.span, "first defined here");
            if anonymous {
                d = d.with_note(format!(
                    "an inline type is named after its parent and field: `{name}`"
                ));
            }
            self.diags.push(d);
            return false;
        }
        self.names.insert(name.to_string(), NameEntry { sym, span });
        true
    }

    fn add_def(
        &mut self,
        name: String,
        span: Span,
        doc: Option<String>,
        body: TBody<'a>,
        anonymous: bool,
    ) -> usize {
        let id = self.defs.len();
        self.declare(&name, Sym::Type(id), span, anonymous);
        self.defs.push(TDef {
            name: name.clone(),
            span,
            doc,
            body,
            anonymous,
            origin: self.origin,
        });
        self.kinds.push(None);
        match body {
            TBody::Struct(b) => self.collect_struct(&name, b),
            TBody::Union(b) => self.collect_union(&name, b),
            TBody::Enum(b) => {
                for (m, member) in b.members.iter().enumerate() {
                    self.declare(&member.name.name, Sym::Member(id, m), member.name.span, false);
                }
            }
            TBody::Typedef(_) => {}
        }
        id
    }

    /// Registers the inline type in `spec`, if any, under `name`.
    fn collect_spec(&mut self, spec: &'a TypeSpec, name: String, doc: Option<String>) {
        let body = match &spec.kind {
            TypeSpecKind::AnonStruct(b) => TBody::Struct(b),
            TypeSpecKind::AnonUnion(b) => TBody::Union(b),
            TypeSpecKind::AnonEnum(b) => TBody::Enum(b),
            _ => return,
        };
        let id = self.add_def(name, spec.span, doc, body, true);
        self.anon.insert(spec_key(spec), id);
    }

    fn collect_decl(&mut self, parent: &str, d: &'a Declaration) {
        if let Some(n) = &d.name {
            self.collect_spec(&d.ty, format!("{parent}_{}", n.name), None);
        }
    }

    fn collect_struct(&mut self, parent: &str, b: &'a StructBody) {
        for f in &b.fields {
            self.collect_decl(parent, f);
        }
    }

    fn collect_union(&mut self, parent: &str, b: &'a UnionBody) {
        self.collect_decl(parent, &b.discriminant);
        for arm in &b.arms {
            self.collect_decl(parent, &arm.decl);
        }
        if let Some(d) = &b.default {
            self.collect_decl(parent, d);
        }
    }

    /// Collects the definitions of `spec`; `items`: whether they are the
    /// compiled file's own top-level items.
    fn collect(&mut self, spec: &'a Spec, items: bool) {
        for item in &spec.items {
            match item {
                Item::Passthrough(p) => {
                    if let Some((name, body)) = c_define(&p.text) {
                        self.c_defines.entry(name).or_insert((body, p.span));
                    }
                    if items {
                        self.items.push(TItem::Passthrough(self.passthrough.len()));
                        self.passthrough.push(p.clone());
                    }
                }
                Item::Definition(def) => {
                    if let Some(it) = self.collect_definition(def) {
                        if items {
                            self.items.push(it);
                        }
                    }
                }
            }
        }
    }

    /// Makes a libtirpc definition available, if `name` is one not yet used.
    fn activate_library(&mut self, name: &str) -> bool {
        let Some(def) = self.library.remove(name) else {
            return false;
        };
        let saved = std::mem::replace(&mut self.origin, Origin::Library);
        self.collect_definition(def);
        self.origin = saved;
        true
    }

    fn check_self_typedefs(&mut self) {
        for (name, tag, span) in std::mem::take(&mut self.self_typedefs) {
            self.activate_library(&name.name);
            let ok = match self.names.get(&name.name) {
                Some(NameEntry { sym: Sym::Type(t), .. }) => {
                    let t = *t;
                    self.tag_matches(t, tag)
                }
                _ => false,
            };
            if !ok {
                let what = match tag {
                    Tag::Struct => "struct",
                    Tag::Union => "union",
                    Tag::Enum => "enum",
                };
                self.diags
                    .push(Diagnostic::error(span, format!("undefined {what} `{}`", name.name)));
            }
        }
    }

    fn collect_definition(&mut self, def: &'a Definition) -> Option<TItem> {
        let doc = def.doc.clone();
        Some(match &def.kind {
            DefinitionKind::Const { name, value } => {
                let id = self.consts.len();
                self.declare(&name.name, Sym::Const(id), name.span, false);
                self.consts.push(TConst {
                    name: name.name.clone(),
                    span: name.span,
                    doc,
                    value,
                    origin: self.origin,
                });
                self.const_state.push(VState::Todo);
                self.const_str.push(None);
                TItem::Const(id)
            }
            DefinitionKind::Typedef(d) => {
                let Some(name) = &d.name else {
                    self.diags.push(Diagnostic::error(
                        d.span,
                        "`void` is not a type here: a typedef needs a type and a name",
                    ));
                    return None;
                };
                if let (TypeSpecKind::Named { name: target, tag: Some(tag) }, DeclKind::Plain) =
                    (&d.ty.kind, &d.kind)
                    && target.name == name.name
                {
                    // `typedef struct X X;`: C's way to name the struct type;
                    // in XDR `X` already is a type.
                    self.self_typedefs.push((target, *tag, d.ty.span));
                    return None;
                }
                let inline = matches!(
                    d.ty.kind,
                    TypeSpecKind::AnonStruct(_)
                        | TypeSpecKind::AnonUnion(_)
                        | TypeSpecKind::AnonEnum(_)
                );
                let id = if inline && d.kind == DeclKind::Plain {
                    // `typedef struct { ... } name;`: the inline type takes the name.
                    let body = match &d.ty.kind {
                        TypeSpecKind::AnonStruct(b) => TBody::Struct(b),
                        TypeSpecKind::AnonUnion(b) => TBody::Union(b),
                        TypeSpecKind::AnonEnum(b) => TBody::Enum(b),
                        _ => TBody::Typedef(d),
                    };
                    let id = self.add_def(name.name.clone(), name.span, doc, body, false);
                    self.anon.insert(spec_key(&d.ty), id);
                    id
                } else {
                    let id =
                        self.add_def(name.name.clone(), name.span, doc, TBody::Typedef(d), false);
                    self.collect_spec(&d.ty, format!("{}_elem", name.name), None);
                    id
                };
                TItem::Type(id)
            }
            DefinitionKind::Enum(name, b) => {
                TItem::Type(self.add_def(name.name.clone(), name.span, doc, TBody::Enum(b), false))
            }
            DefinitionKind::Struct(name, b) => TItem::Type(self.add_def(
                name.name.clone(),
                name.span,
                doc,
                TBody::Struct(b),
                false,
            )),
            DefinitionKind::Union(name, b) => {
                TItem::Type(self.add_def(name.name.clone(), name.span, doc, TBody::Union(b), false))
            }
            DefinitionKind::Program(p) => {
                if self.origin != Origin::Source {
                    return None;
                }
                let id = self.programs.len();
                self.declare(&p.name.name, Sym::Program(id), p.name.span, false);
                self.proc_values.entry(p.name.name.clone()).or_insert(&p.number);
                for v in &p.versions {
                    self.proc_values.entry(v.name.name.clone()).or_insert(&v.number);
                    for pr in &v.procedures {
                        self.proc_values.entry(pr.name.name.clone()).or_insert(&pr.number);
                        let base = format!("{}_{}", pr.name.name, v.name.name);
                        self.collect_spec(&pr.result, format!("{base}_res"), None);
                        for (n, a) in pr.args.iter().enumerate() {
                            self.collect_spec(&a.ty, format!("{base}_arg{}", n + 1), None);
                        }
                    }
                }
                self.programs.push((p, doc));
                TItem::Program(id)
            }
        })
    }
}

/// `#define NAME BODY` in a `%` line: the name and body (object-like only).
fn c_define(text: &str) -> Option<(String, String)> {
    let rest = text.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("define")?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let rest = rest.trim_start();
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    let (name, body) = rest.split_at(end);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || body.starts_with('(') {
        return None;
    }
    let body = match body.find("/*") {
        Some(p) => &body[..p],
        None => body,
    };
    Some((name.to_string(), body.trim().to_string()))
}

#[cfg(test)]
mod tests {
    use super::c_define;

    #[test]
    fn c_define_lines() {
        assert_eq!(
            c_define("#define\tMAXNAMELEN\tLM_MAXSTRLEN+1 /* max */"),
            Some(("MAXNAMELEN".into(), "LM_MAXSTRLEN+1".into()))
        );
        assert_eq!(c_define(" # define X 1"), Some(("X".into(), "1".into())));
        assert_eq!(c_define("#define F(x) x"), None);
        assert_eq!(c_define("#defineX 1"), None);
        assert_eq!(c_define("#include <a.h>"), None);
    }
}
