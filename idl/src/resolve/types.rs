//! Type references, declarations, struct/enum/typedef bodies and unions.

use std::collections::HashMap;

use super::{NameEntry, Resolver, Sym, TBody, a, spec_key};
use crate::ast::{
    BuiltinSpelling as B, DeclKind, Declaration, Tag, TypeSpec, TypeSpecKind, Value, ValueKind,
};
use crate::diagnostic::Diagnostic;
use crate::ir::{
    Bound, CaseLabel, Discriminant, DiscriminantKind, Enum, EnumMember, Field, Struct, Type,
    TypeDefKind, TypeId, Union, UnionArm,
};
use crate::source::Span;

/// A type specifier before the declaration shape is applied.
enum Base {
    T(Type),
    Opaque,
    Str,
    Void,
}

/// rpcgen passes unknown type names to C as `xdr_NAME`; these names have
/// `xdr_` routines in libc/libtirpc, so rpcgen users write them. Mapped by
/// their encoding (8- and 16-bit ones take 4 bytes on the wire).
fn c_alias(name: &str) -> Option<Type> {
    Some(match name {
        "int8_t" | "int16_t" | "int32_t" => Type::Int,
        "u_int" | "u_long" | "u_short" | "u_char" | "uint8_t" | "uint16_t" | "uint32_t"
        | "u_int8_t" | "u_int16_t" | "u_int32_t" | "rpcprog_t" | "rpcvers_t" | "rpcproc_t"
        | "rpcprot_t" | "rpcport_t" => Type::Unsigned,
        "int64_t" | "quad_t" => Type::Hyper,
        "uint64_t" | "u_int64_t" | "u_quad_t" => Type::UnsignedHyper,
        "bool_t" => Type::Bool,
        _ => return None,
    })
}

const VOID_HERE: &str =
    "`void` is not a type here: only a union arm or a procedure argument or result can be `void`";

impl Resolver<'_> {
    pub(super) fn tag_matches(&self, t: usize, tag: Tag) -> bool {
        matches!(
            (tag, self.defs[t].body),
            (Tag::Struct, TBody::Struct(_))
                | (Tag::Union, TBody::Union(_))
                | (Tag::Enum, TBody::Enum(_))
        )
    }

    fn resolve_spec(&mut self, spec: &TypeSpec) -> Option<Base> {
        Some(match &spec.kind {
            TypeSpecKind::Builtin(b) => match b {
                B::Int | B::Char | B::Short | B::Long => Base::T(Type::Int),
                B::Unsigned | B::UnsignedChar | B::UnsignedShort | B::UnsignedLong => {
                    Base::T(Type::Unsigned)
                }
                B::Hyper => Base::T(Type::Hyper),
                B::UnsignedHyper => Base::T(Type::UnsignedHyper),
                B::Float => Base::T(Type::Float),
                B::Double => Base::T(Type::Double),
                B::Quadruple => Base::T(Type::Quadruple),
                B::Bool => Base::T(Type::Bool),
                B::Void => Base::Void,
            },
            TypeSpecKind::Opaque => Base::Opaque,
            TypeSpecKind::String => Base::Str,
            TypeSpecKind::Named { name, tag } => match self.names.get(&name.name).copied() {
                Some(NameEntry { sym: Sym::Type(t), span }) => {
                    if let Some(tag) = tag
                        && !self.tag_matches(t, *tag)
                    {
                        let what = match tag {
                            Tag::Struct => "struct",
                            Tag::Union => "union",
                            Tag::Enum => "enum",
                        };
                        self.diags.push(
                            Diagnostic::error(
                                spec.span,
                                format!("`{}` is not a {what}", name.name),
                            )
                            .with_label(span, "it is defined here"),
                        );
                        return None;
                    }
                    Base::T(Type::Named(TypeId(t as u32)))
                }
                Some(NameEntry { sym, span }) => {
                    self.diags.push(
                        Diagnostic::error(
                            name.span,
                            format!("`{}` is {}, not a type", name.name, a(sym.describe())),
                        )
                        .with_label(span, format!("the {} is defined here", sym.describe())),
                    );
                    return None;
                }
                None if self.activate_library(&name.name) => return self.resolve_spec(spec),
                None => match c_alias(&name.name).filter(|_| tag.is_none()) {
                    Some(t) => Base::T(t),
                    None => {
                        self.diags.push(Diagnostic::error(
                            name.span,
                            format!("undefined type `{}`", name.name),
                        ));
                        return None;
                    }
                },
            },
            TypeSpecKind::AnonStruct(_)
            | TypeSpecKind::AnonUnion(_)
            | TypeSpecKind::AnonEnum(_) => {
                let Some(id) = self.anon.get(&spec_key(spec)).copied() else {
                    self.diags
                        .push(Diagnostic::error(spec.span, "an inline type is not allowed here"));
                    return None;
                };
                Base::T(Type::Named(TypeId(id as u32)))
            }
        })
    }

    /// A type used as a whole (procedure arguments and results): `void`
    /// allowed, `opaque` and `string` handled by the caller.
    pub(super) fn resolve_plain(&mut self, spec: &TypeSpec) -> Option<Type> {
        match self.resolve_spec(spec)? {
            Base::T(t) => Some(t),
            Base::Void => Some(Type::Void),
            Base::Opaque | Base::Str => None,
        }
    }

    /// An array bound: fixed sizes must be 1 ..= 2^32-1, maximum lengths
    /// 0 ..= 2^32-1.
    pub(super) fn bound(&mut self, v: &Value, fixed: bool) -> Option<Bound> {
        let n = self.eval(v)?;
        if n < 1 && (fixed || n < 0) {
            let what = if fixed {
                "an array size must be a positive constant"
            } else {
                "a maximum length must not be negative"
            };
            self.diags.push(Diagnostic::error(v.span, format!("{what}, found {n}")));
            return None;
        }
        let Ok(value) = u32::try_from(n) else {
            self.diags.push(Diagnostic::error(
                v.span,
                format!("array bound {n} is out of range (the maximum is 2^32-1)"),
            ));
            return None;
        };
        let name = match &v.kind {
            ValueKind::Name(s) => Some(s.clone()),
            _ => None,
        };
        Some(Bound { value, name })
    }

    fn opt_bound(&mut self, v: &Option<Value>) -> Option<Option<Bound>> {
        match v {
            Some(v) => Some(Some(self.bound(v, false)?)),
            None => Some(None),
        }
    }

    /// Resolves a declaration's type. `Some(None)` is a bare `void`.
    pub(super) fn resolve_decl(&mut self, d: &Declaration) -> Option<Option<Type>> {
        let base = self.resolve_spec(&d.ty)?;
        let t = match (base, &d.kind) {
            (Base::Void, DeclKind::Plain) if d.name.is_none() => return Some(None),
            (Base::Void, _) => {
                self.diags.push(Diagnostic::error(d.ty.span, VOID_HERE));
                return None;
            }
            (Base::Opaque, DeclKind::Fixed(v)) => Type::FixedOpaque(self.bound(v, true)?),
            (Base::Opaque, DeclKind::Variable(v)) => Type::VarOpaque(self.opt_bound(v)?),
            (Base::Opaque, _) => {
                self.diags.push(Diagnostic::error(
                    d.span,
                    "`opaque` needs a length: `opaque NAME[N]` or `opaque NAME<N>`",
                ));
                return None;
            }
            (Base::Str, DeclKind::Variable(v)) => Type::String(self.opt_bound(v)?),
            (Base::Str, _) => {
                self.diags.push(Diagnostic::error(
                    d.span,
                    "`string` needs a maximum length: `string NAME<N>` or `string NAME<>`",
                ));
                return None;
            }
            (Base::T(t), DeclKind::Plain) => t,
            (Base::T(t), DeclKind::Optional) => Type::Optional(Box::new(t)),
            (Base::T(t), DeclKind::Fixed(v)) => Type::FixedArray(Box::new(t), self.bound(v, true)?),
            (Base::T(t), DeclKind::Variable(v)) => Type::VarArray(Box::new(t), self.opt_bound(v)?),
        };
        Some(Some(t))
    }

    /// A declaration that must have a type (struct fields, typedefs).
    fn field(&mut self, d: &Declaration) -> Option<Field> {
        let ty = match self.resolve_decl(d)? {
            Some(t) => t,
            None => {
                self.diags.push(Diagnostic::error(d.span, VOID_HERE));
                return None;
            }
        };
        let name = d.name.as_ref()?;
        Some(Field { name: name.name.clone(), ty, doc: d.doc.clone(), span: d.span })
    }

    /// Reports a repeated field name within one struct or union.
    fn check_field_name(&mut self, seen: &mut HashMap<String, Span>, d: &Declaration) {
        let Some(n) = &d.name else { return };
        if let Some(first) = seen.get(&n.name) {
            self.diags.push(
                Diagnostic::error(n.span, format!("duplicate field name `{}`", n.name))
                    .with_label(*first, "first defined here"),
            );
        } else {
            seen.insert(n.name.clone(), n.span);
        }
    }

    /// Resolves structs, enums and typedefs (unions come after, in
    /// [`check_unions`](Self::check_unions), since their discriminants
    /// look through typedefs).
    /// Returns how many definitions exist afterwards (using a library type
    /// adds one); call again from there if later passes add more.
    pub(super) fn build_kinds(&mut self, from: usize) -> usize {
        let mut id = from;
        while id < self.defs.len() {
            let current = id;
            id += 1;
            let id = current;
            let kind = match self.defs[id].body {
                TBody::Struct(b) => {
                    let mut fields = Vec::new();
                    let mut seen = HashMap::new();
                    for f in &b.fields {
                        self.check_field_name(&mut seen, f);
                        if let Some(field) = self.field(f) {
                            fields.push(field);
                        }
                    }
                    TypeDefKind::Struct(Struct { fields })
                }
                TBody::Enum(b) => {
                    let mut members = Vec::new();
                    for (m, member) in b.members.iter().enumerate() {
                        let value = self.member_value(id, m);
                        members.push(EnumMember {
                            name: member.name.name.clone(),
                            value: value.and_then(|v| i32::try_from(v).ok()).unwrap_or(0),
                            doc: member.doc.clone(),
                            span: member.name.span,
                        });
                    }
                    TypeDefKind::Enum(Enum { members })
                }
                TBody::Typedef(d) => match self.field(d) {
                    Some(f) => TypeDefKind::Typedef(f.ty),
                    None => continue,
                },
                TBody::Union(_) => continue,
            };
            self.kinds[id] = Some(kind);
        }
        self.defs.len()
    }

    /// What a discriminant type is after typedefs, if legal.
    fn discriminant_kind(&self, ty: &Type) -> Option<DiscriminantKind> {
        let mut ty = ty;
        for _ in 0..=self.defs.len() {
            match ty {
                Type::Int => return Some(DiscriminantKind::Int),
                Type::Unsigned => return Some(DiscriminantKind::Unsigned),
                Type::Bool => return Some(DiscriminantKind::Bool),
                Type::Named(t) => match self.kinds.get(t.index())? {
                    Some(TypeDefKind::Enum(_)) => return Some(DiscriminantKind::Enum(*t)),
                    Some(TypeDefKind::Typedef(inner)) => ty = inner,
                    _ => return None,
                },
                _ => return None,
            }
        }
        None
    }

    /// How a type is named in messages.
    fn describe_type(&self, ty: &Type) -> String {
        match ty {
            Type::Named(t) => {
                let d = &self.defs[t.index()];
                let kind = match d.body {
                    TBody::Struct(_) => "struct",
                    TBody::Union(_) => "union",
                    TBody::Enum(_) => "enum",
                    TBody::Typedef(_) => "typedef",
                };
                format!("{kind} `{}`", d.name)
            }
            Type::Int => "`int`".into(),
            Type::Unsigned => "`unsigned int`".into(),
            Type::Hyper => "`hyper`".into(),
            Type::UnsignedHyper => "`unsigned hyper`".into(),
            Type::Float => "`float`".into(),
            Type::Double => "`double`".into(),
            Type::Quadruple => "`quadruple`".into(),
            Type::Bool => "`bool`".into(),
            Type::Void => "`void`".into(),
            Type::FixedOpaque(_) | Type::VarOpaque(_) => "`opaque`".into(),
            Type::String(_) => "`string`".into(),
            Type::FixedArray(..) | Type::VarArray(..) => "an array".into(),
            Type::Optional(_) => "optional-data".into(),
        }
    }

    /// The value of a case label, checked against the discriminant.
    fn case_value(&mut self, label: &Value, kind: Option<DiscriminantKind>) -> Option<i64> {
        let Some(kind) = kind else {
            self.eval(label);
            return None;
        };
        if let DiscriminantKind::Enum(e) = kind {
            let e = e.index();
            let TBody::Enum(body) = self.defs[e].body else {
                return None;
            };
            let enum_name = self.defs[e].name.clone();
            let enum_span = self.defs[e].span;
            return match &label.kind {
                ValueKind::Name(n) => match self.names.get(n).copied() {
                    Some(NameEntry { sym: Sym::Member(t, m), .. }) if t == e => {
                        self.member_value(t, m).and_then(|v| i64::try_from(v).ok())
                    }
                    other => {
                        let mut d = Diagnostic::error(
                            label.span,
                            format!("`{n}` is not a member of enum `{enum_name}`"),
                        )
                        .with_label(enum_span, format!("enum `{enum_name}` is defined here"));
                        if let Some(NameEntry { sym, span }) = other {
                            d = d.with_label(
                                span,
                                format!("`{n}` is {} defined here", a(sym.describe())),
                            );
                        }
                        self.diags.push(d);
                        None
                    }
                },
                ValueKind::Number(v) => {
                    let values: Vec<Option<i128>> =
                        (0..body.members.len()).map(|m| self.member_value(e, m)).collect();
                    if values.contains(&Some(*v)) {
                        i64::try_from(*v).ok()
                    } else {
                        self.diags.push(
                            Diagnostic::error(
                                label.span,
                                format!("{v} is not the value of a member of enum `{enum_name}`"),
                            )
                            .with_label(enum_span, format!("enum `{enum_name}` is defined here")),
                        );
                        None
                    }
                }
                ValueKind::Str(_) => {
                    self.eval(label);
                    None
                }
            };
        }
        let v = self.eval(label)?;
        let (ok, what) = match kind {
            DiscriminantKind::Int => (i32::try_from(v).is_ok(), "`int` (-2^31 ..= 2^31-1)"),
            DiscriminantKind::Unsigned => {
                (u32::try_from(v).is_ok(), "`unsigned int` (0 ..= 2^32-1)")
            }
            _ => (v == 0 || v == 1, "`bool` (TRUE or FALSE)"),
        };
        if !ok {
            self.diags.push(Diagnostic::error(
                label.span,
                format!("case value {v} is out of range for {what}"),
            ));
            return None;
        }
        i64::try_from(v).ok()
    }

    /// Resolves every union: discriminant, labels (in range, members of
    /// the discriminant's enum, unique) and arms.
    pub(super) fn check_unions(&mut self) {
        let mut id = 0;
        while id < self.defs.len() {
            let current = id;
            id += 1;
            let id = current;
            let TBody::Union(b) = self.defs[id].body else {
                continue;
            };
            let disc = &b.discriminant;
            let disc_ty = match self.resolve_decl(disc) {
                Some(Some(t)) => Some(t),
                Some(None) => {
                    self.diags.push(Diagnostic::error(disc.span, VOID_HERE));
                    None
                }
                None => None,
            };
            let kind = disc_ty.as_ref().and_then(|t| {
                let k = self.discriminant_kind(t);
                if k.is_none() {
                    let found = self.describe_type(t);
                    self.diags.push(Diagnostic::error(
                        disc.ty.span,
                        format!(
                            "the discriminant of a union must be `int`, `unsigned int`, `bool` or an enum, not {found}"
                        ),
                    ));
                }
                k
            });
            let mut seen: HashMap<i64, Span> = HashMap::new();
            let mut names = HashMap::new();
            let mut arms = Vec::new();
            for arm in &b.arms {
                let mut cases = Vec::new();
                for label in &arm.cases {
                    let Some(value) = self.case_value(label, kind) else {
                        continue;
                    };
                    if let Some(first) = seen.get(&value) {
                        self.diags.push(
                            Diagnostic::error(label.span, format!("duplicate case value {value}"))
                                .with_label(*first, "first used here"),
                        );
                        continue;
                    }
                    seen.insert(value, label.span);
                    let name = match &label.kind {
                        ValueKind::Name(n) => Some(n.clone()),
                        _ => None,
                    };
                    cases.push(CaseLabel { value, name, span: label.span });
                }
                self.check_field_name(&mut names, &arm.decl);
                let field = self.arm_field(&arm.decl);
                arms.push(UnionArm { cases, field });
            }
            let default = b.default.as_ref().map(|d| {
                self.check_field_name(&mut names, d);
                self.arm_field(d)
            });
            let (Some(ty), Some(kind)) = (disc_ty, kind) else {
                continue;
            };
            let Some(name) = &disc.name else { continue };
            self.kinds[id] = Some(TypeDefKind::Union(Union {
                discriminant: Discriminant { name: name.name.clone(), ty, kind, span: disc.span },
                arms,
                default,
            }));
        }
    }

    fn arm_field(&mut self, d: &Declaration) -> Option<Field> {
        let ty = self.resolve_decl(d)??;
        let name = d.name.as_ref()?;
        Some(Field { name: name.name.clone(), ty, doc: d.doc.clone(), span: d.span })
    }
}
