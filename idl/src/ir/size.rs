//! Encoded sizes: fixed size (when every value encodes to the same length)
//! and minimum size, per XDR (RFC 4506: 4-byte units, opaque padded).

use super::{Ir, Type, TypeDefKind, TypeId};

fn pad4(n: u64) -> u64 {
    n.div_ceil(4) * 4
}

/// `(fixed size, minimum size)` of `ty`, `None` if it overflows `u64`.
pub(crate) fn sizes(ir: &Ir, ty: &Type) -> Option<(Option<u64>, u64)> {
    Some(match ty {
        Type::Int | Type::Unsigned | Type::Float | Type::Bool => (Some(4), 4),
        Type::Hyper | Type::UnsignedHyper | Type::Double => (Some(8), 8),
        Type::Quadruple => (Some(16), 16),
        Type::Void => (Some(0), 0),
        Type::FixedOpaque(b) => {
            let n = pad4(u64::from(b.value));
            (Some(n), n)
        }
        Type::VarOpaque(_) | Type::String(_) | Type::VarArray(..) | Type::Optional(_) => (None, 4),
        Type::FixedArray(inner, b) => {
            let (fixed, min) = sizes(ir, inner)?;
            let n = u64::from(b.value);
            let fixed = match fixed {
                Some(f) => Some(f.checked_mul(n)?),
                None => None,
            };
            (fixed, min.checked_mul(n)?)
        }
        Type::Named(id) => {
            let t = ir.types.get(id.index())?;
            (t.fixed_size, t.min_size)
        }
    })
}

fn field_sizes<'a>(
    ir: &Ir,
    tys: impl Iterator<Item = Option<&'a Type>>,
) -> Option<Vec<(Option<u64>, u64)>> {
    tys.map(|t| t.map_or(Some((Some(0), 0)), |t| sizes(ir, t))).collect()
}

/// Fills in `fixed_size` and `min_size` of every type, in arena order
/// (which puts directly contained types first). Returns the types whose
/// size overflows `u64`.
pub(crate) fn compute_sizes(ir: &mut Ir) -> Vec<TypeId> {
    let mut overflow = Vec::new();
    for i in 0..ir.types.len() {
        let result = match &ir.types[i].kind {
            TypeDefKind::Enum(_) => Some((Some(4), 4)),
            TypeDefKind::Typedef(t) => sizes(ir, t),
            TypeDefKind::Struct(s) => field_sizes(ir, s.fields.iter().map(|f| Some(&f.ty)))
                .and_then(|parts| {
                    let mut fixed = Some(0u64);
                    let mut min = 0u64;
                    for (f, m) in parts {
                        fixed = match (fixed, f) {
                            (Some(a), Some(b)) => Some(a.checked_add(b)?),
                            _ => None,
                        };
                        min = min.checked_add(m)?;
                    }
                    Some((fixed, min))
                }),
            TypeDefKind::Union(u) => {
                let arms = u
                    .arms
                    .iter()
                    .map(|a| a.field.as_ref().map(|f| &f.ty))
                    .chain(u.default.iter().map(|d| d.as_ref().map(|f| &f.ty)));
                field_sizes(ir, arms).and_then(|parts| {
                    let first = parts.first().map_or(Some(0), |p| p.0);
                    let same = parts.iter().all(|p| p.0.is_some() && p.0 == first);
                    let fixed = if same { first.and_then(|f| f.checked_add(4)) } else { None };
                    let min = parts.iter().map(|p| p.1).min().unwrap_or(0).checked_add(4)?;
                    Some((fixed, min))
                })
            }
        };
        match result {
            Some((fixed, min)) => {
                ir.types[i].fixed_size = fixed;
                ir.types[i].min_size = min;
            }
            None => {
                ir.types[i].fixed_size = None;
                ir.types[i].min_size = u64::MAX;
                overflow.push(TypeId(i as u32));
            }
        }
    }
    overflow
}
