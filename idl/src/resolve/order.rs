//! The type graph: infinite-size check, dependency order, recursion flags,
//! and assembling the final [`Ir`].

use super::{Resolver, TItem};
use crate::diagnostic::Diagnostic;
use crate::ir::{
    Const, DiscriminantKind, Ir, ItemRef, Program, Type, TypeDef, TypeDefKind, TypeId,
};
use crate::source::Span;

/// A reference from one type to another.
#[derive(Debug, Clone, Copy)]
struct Edge {
    to: usize,
    /// By value, fixed array or typedef (not through `*` or `<>`).
    direct: bool,
    span: Span,
}

fn type_edges(ty: &Type, direct: bool, span: Span, out: &mut Vec<Edge>) {
    match ty {
        Type::Named(t) => out.push(Edge { to: t.index(), direct, span }),
        Type::FixedArray(inner, _) => type_edges(inner, direct, span, out),
        Type::VarArray(inner, _) | Type::Optional(inner) => type_edges(inner, false, span, out),
        _ => {}
    }
}

fn kind_edges(kind: &TypeDefKind, def_span: Span) -> Vec<Edge> {
    let mut out = Vec::new();
    match kind {
        TypeDefKind::Struct(s) => {
            for f in &s.fields {
                type_edges(&f.ty, true, f.span, &mut out);
            }
        }
        TypeDefKind::Union(u) => {
            type_edges(&u.discriminant.ty, true, u.discriminant.span, &mut out);
            let arms = u.arms.iter().map(|a| &a.field);
            for f in arms.chain(u.default.iter()).flatten() {
                type_edges(&f.ty, true, f.span, &mut out);
            }
        }
        TypeDefKind::Typedef(t) => type_edges(t, true, def_span, &mut out),
        TypeDefKind::Enum(_) => {}
    }
    out
}

/// Strongly connected components (Tarjan, iterative), each one after all
/// the components it points to. Roots are tried in index order and edges
/// in list order, so the result is deterministic.
fn sccs(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let mut counter = 0;
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut calls = vec![(root, 0usize)];
        index[root] = counter;
        low[root] = counter;
        counter += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut next)) = calls.last_mut() {
            if let Some(&w) = adj[v].get(*next) {
                *next += 1;
                if w >= n {
                    continue;
                }
                if index[w] == usize::MAX {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    calls.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            calls.pop();
            if let Some(&(u, _)) = calls.last() {
                low[u] = low[u].min(low[v]);
            }
            if low[v] == index[v] {
                let mut comp = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                comp.sort_unstable();
                out.push(comp);
            }
        }
    }
    out
}

impl Resolver<'_> {
    fn edges(&self) -> Vec<Vec<Edge>> {
        self.kinds
            .iter()
            .zip(&self.defs)
            .map(|(k, d)| k.as_ref().map_or_else(Vec::new, |k| kind_edges(k, d.span)))
            .collect()
    }

    /// Reports types that contain themselves other than through
    /// optional-data or a variable-length array. Returns whether none do.
    pub(super) fn check_infinite(&mut self) -> bool {
        let edges = self.edges();
        let direct: Vec<Vec<usize>> =
            edges.iter().map(|es| es.iter().filter(|e| e.direct).map(|e| e.to).collect()).collect();
        let mut ok = true;
        for comp in sccs(&direct) {
            let first = comp[0];
            let self_loop = direct[first].contains(&first);
            if comp.len() == 1 && !self_loop {
                continue;
            }
            ok = false;
            let name = &self.defs[first].name;
            let mut d = Diagnostic::error(
                self.defs[first].span,
                format!("type `{name}` contains itself: its size would be infinite"),
            );
            for &member in &comp {
                for e in edges[member].iter().filter(|e| e.direct && comp.contains(&e.to)) {
                    let from = &self.defs[member].name;
                    let to = &self.defs[e.to].name;
                    d = d.with_label(e.span, format!("`{from}` contains `{to}` here"));
                }
            }
            d = d.with_note(
                "a type can refer to itself only through optional-data (`*`) or a variable-length array (`<>`)",
            );
            self.diags.push(d);
        }
        ok
    }

    /// Orders the types and assembles the IR (sizes not yet computed).
    pub(super) fn finish(
        &mut self,
        consts: Vec<Option<Const>>,
        programs: Vec<Option<Program>>,
    ) -> Ir {
        let edges = self.edges();
        let all: Vec<Vec<usize>> =
            edges.iter().map(|es| es.iter().map(|e| e.to).collect()).collect();
        let mut order = Vec::with_capacity(self.defs.len());
        let mut recursive = vec![false; self.defs.len()];
        for comp in sccs(&all) {
            if comp.len() == 1 {
                let v = comp[0];
                recursive[v] = all[v].contains(&v);
                order.push(v);
                continue;
            }
            for &v in &comp {
                recursive[v] = true;
            }
            // Inside a cycle, put directly contained types first.
            let direct: Vec<Vec<usize>> = comp
                .iter()
                .map(|&v| {
                    edges[v]
                        .iter()
                        .filter(|e| e.direct)
                        .filter_map(|e| comp.iter().position(|&c| c == e.to))
                        .collect()
                })
                .collect();
            for inner in sccs(&direct) {
                order.extend(inner.into_iter().map(|i| comp[i]));
            }
        }
        let mut new_id = vec![0u32; self.defs.len()];
        for (pos, &old) in order.iter().enumerate() {
            new_id[old] = pos as u32;
        }
        let mut types = Vec::with_capacity(order.len());
        for &old in &order {
            let Some(mut kind) = self.kinds[old].take() else {
                continue;
            };
            remap_kind(&mut kind, &new_id);
            let d = &self.defs[old];
            types.push(TypeDef {
                name: d.name.clone(),
                kind,
                anonymous: d.anonymous,
                origin: d.origin,
                doc: d.doc.clone(),
                span: d.span,
                fixed_size: None,
                min_size: 0,
                recursive: recursive[old],
            });
        }
        let mut programs: Vec<Program> = programs.into_iter().flatten().collect();
        for p in &mut programs {
            for v in &mut p.versions {
                for pr in &mut v.procedures {
                    remap(&mut pr.result, &new_id);
                    for a in &mut pr.args {
                        remap(&mut a.ty, &new_id);
                    }
                }
            }
        }
        let mut const_index = Vec::new();
        let mut kept_consts = Vec::new();
        for c in consts {
            const_index.push(kept_consts.len());
            if let Some(c) = c {
                kept_consts.push(c);
            }
        }
        kept_consts.append(&mut self.c_consts);
        let items = self
            .items
            .iter()
            .map(|it| match *it {
                TItem::Const(c) => ItemRef::Const(const_index[c]),
                TItem::Type(t) => ItemRef::Type(TypeId(new_id[t])),
                TItem::Program(p) => ItemRef::Program(p),
                TItem::Passthrough(p) => ItemRef::Passthrough(p),
            })
            .collect();
        Ir {
            consts: kept_consts,
            types,
            programs,
            passthrough: std::mem::take(&mut self.passthrough),
            items,
        }
    }
}

fn remap(ty: &mut Type, new_id: &[u32]) {
    match ty {
        Type::Named(t) => *t = TypeId(new_id.get(t.index()).copied().unwrap_or(t.0)),
        Type::FixedArray(inner, _) | Type::VarArray(inner, _) | Type::Optional(inner) => {
            remap(inner, new_id);
        }
        _ => {}
    }
}

fn remap_kind(kind: &mut TypeDefKind, new_id: &[u32]) {
    match kind {
        TypeDefKind::Struct(s) => s.fields.iter_mut().for_each(|f| remap(&mut f.ty, new_id)),
        TypeDefKind::Typedef(t) => remap(t, new_id),
        TypeDefKind::Enum(_) => {}
        TypeDefKind::Union(u) => {
            remap(&mut u.discriminant.ty, new_id);
            if let DiscriminantKind::Enum(t) = &mut u.discriminant.kind {
                *t = TypeId(new_id.get(t.index()).copied().unwrap_or(t.0));
            }
            for arm in &mut u.arms {
                if let Some(f) = &mut arm.field {
                    remap(&mut f.ty, new_id);
                }
            }
            if let Some(Some(f)) = &mut u.default {
                remap(&mut f.ty, new_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sccs;

    #[test]
    fn sccs_put_dependencies_first() {
        // 0 -> 1 -> 2 -> 1, 3 alone
        let adj = vec![vec![1], vec![2], vec![1], vec![]];
        assert_eq!(sccs(&adj), vec![vec![1, 2], vec![0], vec![3]]);
    }

    #[test]
    fn sccs_handles_long_chains_without_recursion() {
        let n = 200_000;
        let adj: Vec<Vec<usize>> =
            (0..n).map(|i| if i + 1 < n { vec![i + 1] } else { vec![] }).collect();
        let out = sccs(&adj);
        assert_eq!(out.len(), n);
        assert_eq!(out[0], vec![n - 1]);
    }
}
