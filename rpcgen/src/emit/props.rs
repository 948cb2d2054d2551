//! Which traits each generated type can derive, decided from the IR.

use idl::ir::{Ir, Type, TypeDefKind, TypeId};

use super::list;

/// What a type supports beyond `Debug, Clone, PartialEq` (which all have).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Props {
    /// No floating point anywhere inside: `Eq` and `Hash`.
    pub(crate) eq: bool,
    /// Only plain data inside: `Copy`.
    pub(crate) copy: bool,
    /// Every part has a default (arrays of more than 32 elements do not).
    pub(crate) default: bool,
    /// A rough size of the Rust value in bytes (for `large_enum_variant`).
    pub(crate) size: u64,
    /// A linked-list node (see [`super::list`]): the other properties are
    /// the node's; used by value it is an `xdr::NonEmptyList`, not `Copy`.
    pub(crate) list_node: bool,
}

/// Properties of every type, by index.
pub(crate) fn compute(ir: &Ir) -> Vec<Props> {
    let mut props = vec![
        Props { eq: true, copy: false, default: false, size: 8, list_node: false };
        ir.types.len()
    ];
    // Copy, Default and size depend only on what a type contains by value,
    // which comes earlier in the arena; forward references are through
    // optional-data or arrays, which are neither Copy nor size-relevant.
    for (i, td) in ir.types.iter().enumerate() {
        let id = TypeId(i as u32);
        let p = match &td.kind {
            TypeDefKind::Struct(s) => {
                let fields = list::held_fields(ir, id, s);
                Props {
                    eq: true,
                    copy: fields.iter().all(|f| copy(&props, &f.ty)),
                    default: fields.iter().all(|f| default(&props, &f.ty)),
                    size: fields.iter().map(|f| size(&props, &f.ty)).sum(),
                    list_node: list::is_node(ir, id, s),
                }
            }
            TypeDefKind::Enum(_) => {
                Props { eq: true, copy: true, default: true, size: 4, list_node: false }
            }
            TypeDefKind::Union(u) => {
                let fields = u.arms.iter().filter_map(|a| a.field.as_ref());
                let all = fields.clone().chain(u.default.iter().flatten());
                Props {
                    eq: true,
                    copy: all.clone().all(|f| copy(&props, &f.ty)),
                    default: u
                        .arms
                        .iter()
                        .any(|a| a.field.as_ref().is_none_or(|f| default(&props, &f.ty))),
                    size: 8 + all.map(|f| size(&props, &f.ty)).max().unwrap_or(0),
                    list_node: false,
                }
            }
            TypeDefKind::Typedef(t) => Props {
                eq: true,
                copy: copy(&props, t),
                default: default(&props, t),
                size: size(&props, t),
                list_node: false,
            },
        };
        props[i] = p;
    }
    // Eq: the greatest fixpoint of "nothing inside is a float".
    loop {
        let mut changed = false;
        for (i, td) in ir.types.iter().enumerate() {
            let eq = match &td.kind {
                TypeDefKind::Struct(s) => {
                    list::held_fields(ir, TypeId(i as u32), s).iter().all(|f| eq(&props, &f.ty))
                }
                TypeDefKind::Enum(_) => true,
                TypeDefKind::Union(u) => u
                    .arms
                    .iter()
                    .filter_map(|a| a.field.as_ref())
                    .chain(u.default.iter().flatten())
                    .all(|f| eq(&props, &f.ty)),
                TypeDefKind::Typedef(t) => eq(&props, t),
            };
            if props[i].eq != eq {
                props[i].eq = eq;
                changed = true;
            }
        }
        if !changed {
            return props;
        }
    }
}

fn eq(props: &[Props], t: &Type) -> bool {
    match t {
        Type::Float | Type::Double => false,
        Type::FixedArray(inner, _) | Type::VarArray(inner, _) | Type::Optional(inner) => {
            eq(props, inner)
        }
        Type::Named(id) => props[id.index()].eq,
        _ => true,
    }
}

fn copy(props: &[Props], t: &Type) -> bool {
    match t {
        Type::VarOpaque(_) | Type::String(_) | Type::VarArray(..) | Type::Optional(_) => false,
        Type::FixedArray(inner, _) => copy(props, inner),
        Type::Named(id) => props.get(id.index()).is_some_and(|p| p.copy && !p.list_node),
        _ => true,
    }
}

/// Whether `t` has a `Default`.
pub(crate) fn default(props: &[Props], t: &Type) -> bool {
    match t {
        Type::FixedOpaque(b) => b.value <= 32,
        Type::FixedArray(inner, b) => b.value <= 32 && default(props, inner),
        Type::Named(id) => props.get(id.index()).is_some_and(|p| p.default),
        _ => true,
    }
}

fn size(props: &[Props], t: &Type) -> u64 {
    match t {
        Type::Int | Type::Unsigned | Type::Float | Type::Bool => 4,
        Type::Hyper | Type::UnsignedHyper | Type::Double => 8,
        Type::Quadruple => 16,
        Type::Void => 0,
        Type::FixedOpaque(b) => u64::from(b.value),
        Type::FixedArray(inner, b) => u64::from(b.value).saturating_mul(size(props, inner)),
        Type::VarOpaque(_) | Type::String(_) | Type::VarArray(..) => 24,
        Type::Optional(_) => 8,
        // By value, a list node is an `xdr::NonEmptyList`: the node and a vector.
        Type::Named(id) => {
            props.get(id.index()).map_or(8, |p| p.size + if p.list_node { 24 } else { 0 })
        }
    }
}

/// Rough Rust size of a union arm's payload.
pub(crate) fn payload_size(props: &[Props], t: Option<&Type>) -> u64 {
    t.map_or(0, |t| size(props, t))
}
