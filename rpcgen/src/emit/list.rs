//! Linked lists: a struct whose last field is optional-data of its own type
//! (`struct entry { ...; entry *next; }`) is a list node.
//!
//! The node's Rust struct holds its fields without the link; `entry *` is
//! `xdr::List<Entry>` (a vector of nodes, empty for NULL) and `entry` used
//! by value is `xdr::NonEmptyList<Entry>` (a node, then the rest of the
//! chain). The wire form is unchanged; only the Rust side is flat.

use proc_macro2::TokenStream;
use quote::quote;

use idl::ir::{Field, Ir, Struct, Type, TypeId};

use super::Gen;

/// Whether struct `id` is a list node: its last field is optional-data of
/// its own type (possibly through typedefs).
pub(crate) fn is_node(ir: &Ir, id: TypeId, s: &Struct) -> bool {
    let Some(last) = s.fields.last() else {
        return false;
    };
    match ir.resolve_typedefs(&last.ty) {
        Type::Optional(inner) => matches!(ir.resolve_typedefs(inner), Type::Named(t) if *t == id),
        _ => false,
    }
}

/// The fields a struct's Rust type holds: for a list node, all but the link.
pub(crate) fn held_fields<'s>(ir: &Ir, id: TypeId, s: &'s Struct) -> &'s [Field] {
    if is_node(ir, id, s) { &s.fields[..s.fields.len() - 1] } else { &s.fields }
}

impl Gen<'_> {
    /// Whether type `id` is a list node.
    pub(crate) fn is_node(&self, id: TypeId) -> bool {
        self.props[id.index()].list_node
    }

    /// The node `t` points to when `t` is (a typedef of) a list node, so
    /// that `t *` is a list.
    pub(crate) fn node_of(&self, t: &Type) -> Option<TypeId> {
        match self.ir.resolve_typedefs(t) {
            Type::Named(id) if self.is_node(*id) => Some(*id),
            _ => None,
        }
    }

    /// `xdr::List<Node>` (`node *`) or, by value, `xdr::NonEmptyList<Node>`.
    pub(crate) fn list_ty(
        &self,
        node: TypeId,
        by_value: bool,
        prefix: &TokenStream,
    ) -> TokenStream {
        let xdr = self.xdr();
        let name = self.type_ident(node);
        if by_value {
            quote!(#xdr::NonEmptyList<#prefix #name>)
        } else {
            quote!(#xdr::List<#prefix #name>)
        }
    }

    /// The doc lines telling how list node `id` is used, added to its own.
    pub(crate) fn node_doc(&self, id: TypeId, s: &Struct) -> TokenStream {
        let x = &self.ir.get(id).name;
        let name = &self.type_names[id.index()];
        let link = s.fields.last().map_or("", |f| f.name.as_str());
        let lines = [
            String::new(),
            format!(" A node of a linked list, without its link `{link}`: `{x} *` is an"),
            format!(" `xdr::List<{name}>` (empty for NULL) and `{x}` used by value an"),
            format!(" `xdr::NonEmptyList<{name}>` (the node, then the rest of the chain)."),
        ];
        quote!(#(#[doc = #lines])*)
    }
}
