//! Constant evaluation: `const` definitions, enum member values (explicit
//! or previous + 1), bounds, case labels and program numbers.
//!
//! Values chain through names (`const B = A;`, `X = B` in an enum); chains
//! are followed with an explicit stack, so their length is not limited by
//! the call stack, and cycles are reported.

use super::{NameEntry, Resolver, Sym, a};
use crate::ast::{Value, ValueKind};
use crate::diagnostic::Diagnostic;
use crate::ir::{Const, ConstValue, Origin};
use crate::preprocess::expr::{PpKind, eval as pp_eval, pp_lex};
use crate::source::Span;

/// Evaluation state of a constant or enum member (`Done(None)`: failed,
/// already reported, or a string constant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VState {
    Todo,
    Busy,
    Done(Option<i128>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Const(usize),
    Member(usize, usize),
}

/// What a node's value depends on.
enum Dep {
    /// Known now (`None`: an error, already reported).
    Value(Option<i128>),
    /// Another node's value plus an offset.
    Node(Node, i128, Span),
}

const I64_MIN: i128 = i64::MIN as i128;
const U64_MAX: i128 = u64::MAX as i128;
const I32_MIN: i128 = i32::MIN as i128;
const I32_MAX: i128 = i32::MAX as i128;

impl<'a> Resolver<'a> {
    fn state(&self, n: Node) -> VState {
        match n {
            Node::Const(c) => self.const_state.get(c).copied().unwrap_or(VState::Done(None)),
            Node::Member(t, m) => self.member_state.get(&(t, m)).copied().unwrap_or(VState::Todo),
        }
    }

    fn set_state(&mut self, n: Node, s: VState) {
        match n {
            Node::Const(c) => {
                if let Some(slot) = self.const_state.get_mut(c) {
                    *slot = s;
                }
            }
            Node::Member(t, m) => {
                self.member_state.insert((t, m), s);
            }
        }
    }

    fn member(&self, t: usize, m: usize) -> Option<&'a crate::ast::EnumMember> {
        match self.defs.get(t)?.body {
            super::TBody::Enum(b) => b.members.get(m),
            _ => None,
        }
    }

    /// The dependency of node `n`. Reports errors for values that are
    /// wrong in themselves (undefined names, types used as numbers).
    fn dep_of(&mut self, n: Node) -> Dep {
        let value = match n {
            Node::Const(c) => self.consts[c].value,
            Node::Member(t, m) => {
                let Some(member) = self.member(t, m) else {
                    return Dep::Value(None);
                };
                match &member.value {
                    Some(v) => v,
                    None if m == 0 => return Dep::Value(Some(0)),
                    None => return Dep::Node(Node::Member(t, m - 1), 1, member.name.span),
                }
            }
        };
        match &value.kind {
            ValueKind::Number(v) => Dep::Value(Some(*v)),
            ValueKind::Str(s) => {
                if let Node::Const(c) = n {
                    self.const_str[c] = Some(s.clone());
                } else {
                    self.diags.push(Diagnostic::error(
                        value.span,
                        "an enum value must be an integer, not a string",
                    ));
                }
                Dep::Value(None)
            }
            ValueKind::Name(name) => match self.lookup_value(name, value.span) {
                Ok(Sym::Const(c)) => Dep::Node(Node::Const(c), 0, value.span),
                Ok(Sym::Member(t, m)) => Dep::Node(Node::Member(t, m), 0, value.span),
                Ok(_) => Dep::Value(None),
                Err(v) => Dep::Value(v),
            },
        }
    }

    /// Looks `name` up as a value: `Ok(symbol)` for a constant or enum
    /// member, `Err(Some(v))` for the built-in `TRUE`/`FALSE`, `Err(None)`
    /// after reporting an error.
    fn lookup_value(&mut self, name: &str, span: Span) -> Result<Sym, Option<i128>> {
        match self.names.get(name).copied() {
            Some(NameEntry { sym: s @ (Sym::Const(_) | Sym::Member(..)), .. }) => Ok(s),
            Some(NameEntry { sym: Sym::Program(_), .. }) if self.proc_values.contains_key(name) => {
                Err(self.proc_number(name, span))
            }
            Some(NameEntry { sym, span: def }) => {
                self.diags.push(
                    Diagnostic::error(
                        span,
                        format!("`{name}` is {}, not a constant", a(sym.describe())),
                    )
                    .with_label(def, format!("the {} is defined here", sym.describe())),
                );
                Err(None)
            }
            None if self.proc_values.contains_key(name) => Err(self.proc_number(name, span)),
            None if self.c_defines.contains_key(name) => match self.c_define_value(name, 0) {
                Some(v) => Err(Some(v)),
                None => {
                    self.diags.push(Diagnostic::error(
                        span,
                        format!("`{name}` is defined by a `%#define` line whose value is not an integer expression"),
                    ));
                    Err(None)
                }
            },
            None if self.activate_library(name) => self.lookup_value(name, span),
            None if name == "TRUE" => Err(Some(1)),
            None if name == "FALSE" => Err(Some(0)),
            None => {
                self.diags.push(Diagnostic::error(span, format!("undefined constant `{name}`")));
                Err(None)
            }
        }
    }

    /// Checks a finished node's value against its range.
    fn finish_node(&mut self, n: Node, v: Option<i128>) -> Option<i128> {
        let v = v?;
        match n {
            Node::Const(c) => {
                if !(I64_MIN..=U64_MAX).contains(&v) {
                    self.diags.push(Diagnostic::error(
                        self.consts[c].value.span,
                        format!(
                            "constant `{}` = {v} is out of range (constants lie in -2^63 ..= 2^64-1)",
                            self.consts[c].name
                        ),
                    ));
                    return None;
                }
            }
            Node::Member(t, m) => {
                if !(I32_MIN..=I32_MAX).contains(&v) {
                    let member = self.member(t, m)?;
                    let span = member.value.as_ref().map_or(member.name.span, |v| v.span);
                    let name = member.name.name.clone();
                    self.diags.push(Diagnostic::error(
                        span,
                        format!(
                            "value {v} of enum member `{name}` is out of range for an enum (-2^31 ..= 2^31-1)"
                        ),
                    ));
                    return None;
                }
            }
        }
        Some(v)
    }

    /// The value of `start`, evaluating what it depends on first.
    fn node_value(&mut self, start: Node) -> Option<i128> {
        let mut stack = vec![start];
        let mut result = None;
        while let Some(&n) = stack.last() {
            if let VState::Done(v) = self.state(n) {
                stack.pop();
                result = v;
                continue;
            }
            self.set_state(n, VState::Busy);
            match self.dep_of(n) {
                Dep::Value(v) => {
                    let v = self.finish_node(n, v);
                    self.set_state(n, VState::Done(v));
                    stack.pop();
                    result = v;
                }
                Dep::Node(d, add, span) => match self.state(d) {
                    VState::Done(v) => {
                        match (n, d) {
                            (Node::Const(c), Node::Const(dc)) => {
                                self.const_str[c] = self.const_str[dc].clone();
                            }
                            (Node::Member(..), Node::Const(dc)) if self.const_str[dc].is_some() => {
                                self.diags.push(Diagnostic::error(
                                    span,
                                    "an enum value must be an integer, not a string",
                                ));
                            }
                            _ => {}
                        }
                        let v = self.finish_node(n, v.map(|v| v + add));
                        self.set_state(n, VState::Done(v));
                        stack.pop();
                        result = v;
                    }
                    VState::Busy => {
                        self.diags.push(Diagnostic::error(
                            span,
                            "this value is defined in terms of itself",
                        ));
                        self.set_state(n, VState::Done(None));
                        stack.pop();
                        result = None;
                    }
                    VState::Todo => stack.push(d),
                },
            }
        }
        result
    }

    /// Evaluates a value written in a bound, case label or number position.
    pub(super) fn eval(&mut self, v: &Value) -> Option<i128> {
        match &v.kind {
            ValueKind::Number(n) => Some(*n),
            ValueKind::Str(_) => {
                self.diags.push(Diagnostic::error(
                    v.span,
                    "a string is not allowed here: expected an integer",
                ));
                None
            }
            ValueKind::Name(name) => {
                let node = match self.lookup_value(name, v.span) {
                    Ok(Sym::Const(c)) => Node::Const(c),
                    Ok(Sym::Member(t, m)) => Node::Member(t, m),
                    Ok(_) => return None,
                    Err(v) => return v,
                };
                let value = self.node_value(node);
                if let Node::Const(c) = node
                    && self.const_str[c].is_some()
                {
                    self.diags.push(
                        Diagnostic::error(
                            v.span,
                            format!("`{name}` is a string constant: expected an integer"),
                        )
                        .with_label(self.consts[c].span, "the constant is defined here"),
                    );
                    return None;
                }
                value
            }
        }
    }

    /// The value of enum member `m` of definition `t`.
    pub(super) fn member_value(&mut self, t: usize, m: usize) -> Option<i128> {
        self.node_value(Node::Member(t, m))
    }

    /// The number of the program, version or procedure `name`.
    fn proc_number(&mut self, name: &str, span: Span) -> Option<i128> {
        if let Some(v) = self.proc_consts.get(name) {
            return Some(*v);
        }
        let value = *self.proc_values.get(name)?;
        if self.proc_depth > 64 {
            self.diags.push(Diagnostic::error(
                span,
                "constants refer to program, version or procedure numbers too deeply (or in a cycle)",
            ));
            return None;
        }
        self.proc_depth += 1;
        let v = self.eval(value);
        self.proc_depth -= 1;
        if let Some(v) = v {
            self.proc_consts.insert(name.to_string(), v);
        }
        v
    }

    /// The value of a `%#define NAME BODY` line used as a constant: a C
    /// integer expression over numbers, constants and other such defines.
    fn c_define_value(&mut self, name: &str, depth: u32) -> Option<i128> {
        if let Some(v) = self.c_cache.get(name) {
            return *v;
        }
        let (body, span) = self.c_defines.get(name)?.clone();
        self.c_cache.insert(name.to_string(), None);
        if depth > 16 {
            return None;
        }
        let mut toks = pp_lex(span.file, &body, 0);
        for t in &mut toks {
            let PpKind::Ident(id) = &t.kind else { continue };
            let id = id.clone();
            let v = match self.names.get(&id).copied() {
                Some(NameEntry { sym: Sym::Const(c), .. }) => self.node_value(Node::Const(c)),
                Some(NameEntry { sym: Sym::Member(e, m), .. }) => {
                    self.node_value(Node::Member(e, m))
                }
                Some(_) => None,
                None if self.proc_values.contains_key(&id) => self.proc_number(&id, span),
                None => self.c_define_value(&id, depth + 1),
            };
            t.kind = PpKind::Number(i64::try_from(v?).ok()?);
        }
        let v = pp_eval(&toks, span).ok().map(i128::from);
        self.c_cache.insert(name.to_string(), v);
        if let Some(v) = v {
            self.c_consts.push(Const {
                name: name.to_string(),
                value: if v < 0 {
                    ConstValue::Signed(v as i64)
                } else {
                    ConstValue::Unsigned(v as u64)
                },
                origin: Origin::Passthrough,
                doc: None,
                span,
            });
        }
        v
    }

    /// Evaluates every constant, in source order.
    pub(super) fn eval_consts(&mut self) -> Vec<Option<Const>> {
        (0..self.consts.len())
            .map(|c| {
                let v = self.node_value(Node::Const(c));
                let value = match (&self.const_str[c], v) {
                    (Some(s), _) => ConstValue::Str(s.clone()),
                    (None, Some(v)) if v < 0 => ConstValue::Signed(i64::try_from(v).ok()?),
                    (None, Some(v)) => ConstValue::Unsigned(u64::try_from(v).ok()?),
                    (None, None) => return None,
                };
                let tc = &self.consts[c];
                Some(Const {
                    name: tc.name.clone(),
                    value,
                    origin: tc.origin,
                    doc: tc.doc.clone(),
                    span: tc.span,
                })
            })
            .collect()
    }
}
