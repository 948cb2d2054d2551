//! Type specifiers, declarations and the bodies of enums, structs and unions.

use nom::Parser;
use nom::branch::alt;

use super::input::{Input, PErr, PResult, commit, eat, ident, tok, value};
use crate::ast::{
    BuiltinSpelling as B, DeclKind, Declaration, EnumBody, EnumMember, StructBody, Tag, TypeSpec,
    TypeSpecKind, UnionArm, UnionBody,
};
use crate::lexer::Tok;

/// Deepest nesting of inline (anonymous) struct/union/enum types accepted.
pub const MAX_NESTING: u32 = 32;

fn doc_of(i: &Input<'_>) -> Option<String> {
    i.peek().doc.as_deref().map(str::to_string)
}

/// A type specifier (`depth` counts enclosing inline types).
pub(crate) fn type_spec<'a>(i: Input<'a>, depth: u32) -> PResult<'a, TypeSpec> {
    let first = i.peek();
    let start = first.span;
    let simple = |rest: Input<'a>, b: B| -> PResult<'a, TypeSpec> {
        let end = rest.prev().map_or(start, |t| t.span);
        Ok((rest, TypeSpec { kind: TypeSpecKind::Builtin(b), span: start.to(end) }))
    };
    let after = i.at(i.pos + 1);
    match first.kind {
        Tok::Unsigned => {
            let (rest, b) = match after.peek().kind {
                Tok::Int => (after.at(after.pos + 1), B::Unsigned),
                Tok::Char_ => (after.at(after.pos + 1), B::UnsignedChar),
                Tok::Short => (eat(after.at(after.pos + 1), Tok::Int).0, B::UnsignedShort),
                Tok::Long => (eat(after.at(after.pos + 1), Tok::Int).0, B::UnsignedLong),
                Tok::Hyper => (eat(after.at(after.pos + 1), Tok::Int).0, B::UnsignedHyper),
                _ => (after, B::Unsigned),
            };
            simple(rest, b)
        }
        Tok::Int => simple(after, B::Int),
        Tok::Hyper => simple(eat(after, Tok::Int).0, B::Hyper),
        Tok::Short => simple(eat(after, Tok::Int).0, B::Short),
        Tok::Long => simple(eat(after, Tok::Int).0, B::Long),
        Tok::Char_ => simple(after, B::Char),
        Tok::Float => simple(after, B::Float),
        Tok::Double => simple(after, B::Double),
        Tok::Quadruple => simple(after, B::Quadruple),
        Tok::Bool => simple(after, B::Bool),
        Tok::Void => simple(after, B::Void),
        Tok::Opaque | Tok::String => {
            let kind =
                if first.kind == Tok::Opaque { TypeSpecKind::Opaque } else { TypeSpecKind::String };
            Ok((after, TypeSpec { kind, span: start }))
        }
        Tok::Ident => {
            let (rest, name) = ident(i)?;
            let span = name.span;
            Ok((rest, TypeSpec { kind: TypeSpecKind::Named { name, tag: None }, span }))
        }
        Tok::Struct | Tok::Union | Tok::Enum => {
            let tag = match first.kind {
                Tok::Struct => Tag::Struct,
                Tok::Union => Tag::Union,
                _ => Tag::Enum,
            };
            let next = after.peek().kind;
            let inline = matches!(
                (tag, next),
                (Tag::Struct | Tag::Enum, Tok::LBrace) | (Tag::Union, Tok::Switch)
            );
            if !inline {
                let (rest, name) = commit(ident(after))?;
                let span = start.to(name.span);
                return Ok((
                    rest,
                    TypeSpec { kind: TypeSpecKind::Named { name, tag: Some(tag) }, span },
                ));
            }
            if depth >= MAX_NESTING {
                return Err(nom::Err::Failure(PErr::message(
                    i.pos,
                    format!("inline types nested deeper than {MAX_NESTING} levels"),
                )));
            }
            let (rest, kind) = match tag {
                Tag::Struct => {
                    let (r, b) = struct_body(after, depth + 1)?;
                    (r, TypeSpecKind::AnonStruct(b))
                }
                Tag::Union => {
                    let (r, b) = union_body(after, depth + 1)?;
                    (r, TypeSpecKind::AnonUnion(Box::new(b)))
                }
                Tag::Enum => {
                    let (r, b) = enum_body(after)?;
                    (r, TypeSpecKind::AnonEnum(b))
                }
            };
            let end = rest.prev().map_or(start, |t| t.span);
            Ok((rest, TypeSpec { kind, span: start.to(end) }))
        }
        _ => Err(nom::Err::Error(PErr::expected(i.pos, "a type"))),
    }
}

/// A declaration: `void`, `T name`, `T *name`, `T name[N]`, `T name<N>`, `T name<>`.
pub(crate) fn declaration(i: Input<'_>, depth: u32) -> PResult<'_, Declaration> {
    let doc = doc_of(&i);
    let (i, ty) = type_spec(i, depth)?;
    let start = ty.span;
    let bare_void = ty.kind == TypeSpecKind::Builtin(B::Void)
        && !matches!(i.peek().kind, Tok::Star | Tok::Ident);
    if bare_void {
        return Ok((i, Declaration { ty, name: None, kind: DeclKind::Plain, doc, span: start }));
    }
    let (i, star) = eat(i, Tok::Star);
    let (i, name) = commit(ident(i))?;
    let (i, kind) = if star {
        (i, DeclKind::Optional)
    } else {
        match i.peek().kind {
            Tok::LBracket => {
                let (i, _) = tok(Tok::LBracket)(i)?;
                let (i, v) = commit(value(false)(i))?;
                let (i, _) = commit(tok(Tok::RBracket)(i))?;
                (i, DeclKind::Fixed(v))
            }
            Tok::LAngle => {
                let (i, _) = tok(Tok::LAngle)(i)?;
                let (i, v) = if i.peek().kind == Tok::RAngle {
                    (i, None)
                } else {
                    let (i, v) = commit(value(false)(i))?;
                    (i, Some(v))
                };
                let (i, _) = commit(tok(Tok::RAngle)(i))?;
                (i, DeclKind::Variable(v))
            }
            _ => (i, DeclKind::Plain),
        }
    };
    let end = i.prev().map_or(start, |t| t.span);
    Ok((i, Declaration { ty, name: Some(name), kind, doc, span: start.to(end) }))
}

/// `{ A [= V], B, ... }` (a trailing comma is accepted).
pub(crate) fn enum_body(i: Input<'_>) -> PResult<'_, EnumBody> {
    let (mut i, open) = tok(Tok::LBrace)(i)?;
    let mut members = Vec::new();
    loop {
        let doc = doc_of(&i);
        let (r, name) = commit(ident(i))?;
        let (r, has_value) = eat(r, Tok::Equal);
        let (r, value) = if has_value {
            let (r, v) = commit(value(false)(r))?;
            (r, Some(v))
        } else {
            (r, None)
        };
        members.push(EnumMember { name, value, doc });
        let expect_more = |r: Input<'_>| {
            let mut e = PErr::expected(r.pos, "`,`");
            e.expected.push("`}`");
            if !has_value {
                e.expected.push("`=`");
            }
            Err(nom::Err::Failure(e))
        };
        match r.peek().kind {
            Tok::Comma => {
                let r = r.at(r.pos + 1);
                if r.peek().kind == Tok::RBrace {
                    i = r;
                    break;
                }
                i = r;
            }
            Tok::RBrace => {
                i = r;
                break;
            }
            _ => return expect_more(r),
        }
    }
    let (i, close) = tok(Tok::RBrace)(i)?;
    Ok((i, EnumBody { members, span: open.span.to(close.span) }))
}

/// `{ DECL; DECL; ... }` with at least one declaration.
pub(crate) fn struct_body(i: Input<'_>, depth: u32) -> PResult<'_, StructBody> {
    let (mut i, open) = tok(Tok::LBrace)(i)?;
    let mut fields = Vec::new();
    loop {
        let (r, d) = commit(declaration(i, depth))?;
        let (r, _) = commit(tok(Tok::Semi)(r))?;
        fields.push(d);
        i = r;
        if i.peek().kind == Tok::RBrace {
            break;
        }
    }
    let (i, close) = tok(Tok::RBrace)(i)?;
    Ok((i, StructBody { fields, span: open.span.to(close.span) }))
}

/// `case V: [case W:] DECL;`
fn union_arm(i: Input<'_>, depth: u32) -> PResult<'_, UnionArm> {
    let mut cases = Vec::new();
    let mut i = i;
    loop {
        let (r, _) = tok(Tok::Case)(i)?;
        let (r, v) = commit(value(false)(r))?;
        let (r, _) = commit(tok(Tok::Colon)(r))?;
        cases.push(v);
        i = r;
        if i.peek().kind != Tok::Case {
            break;
        }
    }
    let (i, decl) = commit(declaration(i, depth))?;
    let (i, _) = commit(tok(Tok::Semi)(i))?;
    Ok((i, UnionArm { cases, decl }))
}

/// `switch (DECL) { arms [default: DECL;] }`
pub(crate) fn union_body(i: Input<'_>, depth: u32) -> PResult<'_, UnionBody> {
    let (i, sw) = tok(Tok::Switch)(i)?;
    let (i, _) = commit(tok(Tok::LParen)(i))?;
    let (i, discriminant) = commit(declaration(i, depth))?;
    let (i, _) = commit(tok(Tok::RParen)(i))?;
    let (mut i, _) = commit(tok(Tok::LBrace)(i))?;
    let mut arms = Vec::new();
    loop {
        match union_arm(i, depth) {
            Ok((r, arm)) => {
                arms.push(arm);
                i = r;
            }
            Err(nom::Err::Error(e)) if !arms.is_empty() => {
                // Not another `case`: the default arm or the end follows.
                let _ = e;
                break;
            }
            Err(e) => return Err(commit_err(e)),
        }
    }
    let default_arm = |i| -> PResult<'_, Option<Declaration>> {
        let (i, _) = tok(Tok::Default)(i)?;
        let (i, _) = commit(tok(Tok::Colon)(i))?;
        let (i, d) = commit(declaration(i, depth))?;
        let (i, _) = commit(tok(Tok::Semi)(i))?;
        Ok((i, Some(d)))
    };
    let end = |i| -> PResult<'_, Option<Declaration>> {
        let _ = tok(Tok::RBrace)(i)?;
        Ok((i, None))
    };
    let (i, default) = match alt((default_arm, end)).parse(i) {
        Ok(r) => r,
        Err(nom::Err::Error(mut e)) => {
            e.expected.push("`case`");
            return Err(nom::Err::Failure(e));
        }
        Err(e) => return Err(e),
    };
    let (i, close) = commit(tok(Tok::RBrace)(i))?;
    Ok((i, UnionBody { discriminant, arms, default, span: sw.span.to(close.span) }))
}

fn commit_err(e: nom::Err<PErr>) -> nom::Err<PErr> {
    match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        other => other,
    }
}
