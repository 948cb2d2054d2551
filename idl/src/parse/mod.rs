//! The nom parser: preprocessed tokens to an [`ast::Spec`](crate::ast::Spec).
//!
//! Grammar: RFC 4506 section 6.3 and RFC 5531 section 12, plus what rpcgen
//! accepts: C type spellings (`char`, `short`, `long`, `unsigned char`,
//! `long int`, ...), `struct NAME` / `union NAME` / `enum NAME` as type
//! references, string constants, character-literal case labels, named,
//! optional (`*`) and several procedure arguments, `NAME()` for no
//! argument, and a trailing comma in enums.
//!
//! After an error the parser skips to the next `;` at brace depth 0 or the
//! next definition keyword that starts a line, so independent errors in one
//! file are all reported.

mod input;
mod types;

pub use types::MAX_NESTING;

use nom::Parser;
use nom::branch::alt;

use crate::ast::{Definition, DefinitionKind, Item, ProcArg, Procedure, Program, Spec, Version};
use crate::diagnostic::Diagnostic;
use crate::lexer::{Tok, Token};
use crate::preprocess::Preprocessed;
use crate::source::SourceMap;
use input::{Input, PResult, commit, eat, ident, tok, value};
use types::{declaration, enum_body, struct_body, type_spec, union_body};

/// Parses preprocessed tokens, reporting syntax errors into `diags`.
pub(crate) fn parse(pp: Preprocessed, map: &SourceMap, diags: &mut Vec<Diagnostic>) -> Spec {
    let toks = &pp.tokens;
    let mut passthrough = pp.passthrough.into_iter().peekable();
    let mut items = Vec::new();
    let mut i = Input::new(toks);
    while i.peek().kind != Tok::Eof {
        let start = i.pos;
        match definition(i) {
            Ok((rest, def)) => {
                while let Some(p) = passthrough.next_if(|(at, _)| *at < rest.pos) {
                    items.push(Item::Passthrough(p.1));
                }
                items.push(Item::Definition(def));
                i = rest;
            }
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                diags.push(e.to_diagnostic(toks));
                let next = recover(toks, map, start, e.pos);
                while let Some(p) = passthrough.next_if(|(at, _)| *at < next) {
                    items.push(Item::Passthrough(p.1));
                }
                i = i.at(next);
            }
            Err(nom::Err::Incomplete(_)) => break,
        }
    }
    items.extend(passthrough.map(|p| Item::Passthrough(p.1)));
    Spec { items }
}

fn starts_definition(kind: Tok) -> bool {
    matches!(kind, Tok::Const | Tok::Typedef | Tok::Enum | Tok::Struct | Tok::Union | Tok::Program)
}

/// Where to resume after an error at `err` in the definition starting at `start`.
fn recover(toks: &[Token], map: &SourceMap, start: usize, err: usize) -> usize {
    let mut depth = 0i64;
    for (j, t) in toks.iter().enumerate().skip(start) {
        if j >= err && j > start {
            if t.kind == Tok::Eof {
                return j;
            }
            let at_line_start =
                map.get(t.span.file).is_some_and(|f| f.line_col(t.span.start).col == 1);
            if starts_definition(t.kind) && (depth <= 0 || at_line_start) {
                return j;
            }
        }
        match t.kind {
            Tok::LBrace => depth += 1,
            Tok::RBrace => depth -= 1,
            Tok::Semi if j >= err && depth <= 0 => return j + 1,
            Tok::Eof => return j,
            _ => {}
        }
    }
    toks.len().saturating_sub(1)
}

/// One definition including its final `;`.
fn definition(i: Input<'_>) -> PResult<'_, Definition> {
    let first = i.peek();
    let doc = first.doc.as_deref().map(str::to_string);
    let (i, kind) = alt((const_def, typedef_def, enum_def, struct_def, union_def, program_def))
        .parse(i)
        .map_err(|e| match e {
            nom::Err::Error(mut e) if e.pos == i.pos => {
                e.expected = vec![
                    "a definition (`const`, `typedef`, `enum`, `struct`, `union` or `program`)",
                ];
                nom::Err::Error(e)
            }
            e => e,
        })?;
    let (i, semi) = commit(tok(Tok::Semi)(i))?;
    Ok((i, Definition { kind, doc, span: first.span.to(semi.span) }))
}

fn const_def(i: Input<'_>) -> PResult<'_, DefinitionKind> {
    let (i, _) = tok(Tok::Const)(i)?;
    let (i, name) = commit(ident(i))?;
    let (i, _) = commit(tok(Tok::Equal)(i))?;
    let (i, value) = commit(value(true)(i))?;
    Ok((i, DefinitionKind::Const { name, value }))
}

fn typedef_def(i: Input<'_>) -> PResult<'_, DefinitionKind> {
    let (i, _) = tok(Tok::Typedef)(i)?;
    let (i, d) = commit(declaration(i, 0))?;
    Ok((i, DefinitionKind::Typedef(d)))
}

fn enum_def(i: Input<'_>) -> PResult<'_, DefinitionKind> {
    let (i, _) = tok(Tok::Enum)(i)?;
    let (i, name) = commit(ident(i))?;
    let (i, body) = commit(enum_body(i))?;
    Ok((i, DefinitionKind::Enum(name, body)))
}

fn struct_def(i: Input<'_>) -> PResult<'_, DefinitionKind> {
    let (i, _) = tok(Tok::Struct)(i)?;
    let (i, name) = commit(ident(i))?;
    let (i, body) = commit(struct_body(i, 1))?;
    Ok((i, DefinitionKind::Struct(name, body)))
}

fn union_def(i: Input<'_>) -> PResult<'_, DefinitionKind> {
    let (i, _) = tok(Tok::Union)(i)?;
    let (i, name) = commit(ident(i))?;
    let (i, body) = commit(union_body(i, 1))?;
    Ok((i, DefinitionKind::Union(name, body)))
}

fn program_def(i: Input<'_>) -> PResult<'_, DefinitionKind> {
    let (i, _) = tok(Tok::Program)(i)?;
    let (i, name) = commit(ident(i))?;
    let (mut i, _) = commit(tok(Tok::LBrace)(i))?;
    let mut versions = Vec::new();
    loop {
        let (r, v) = commit(version_def(i))?;
        versions.push(v);
        i = r;
        if i.peek().kind != Tok::Version {
            break;
        }
    }
    let (i, _) = commit(close_brace(i, "`version`"))?;
    let (i, _) = commit(tok(Tok::Equal)(i))?;
    let (i, number) = commit(value(false)(i))?;
    Ok((i, DefinitionKind::Program(Program { name, versions, number })))
}

/// A `}`, or an error that also names what else could have come.
fn close_brace<'a>(i: Input<'a>, other: &'static str) -> PResult<'a, &'a Token> {
    tok(Tok::RBrace)(i).map_err(|e| match e {
        nom::Err::Error(mut e) => {
            e.expected.push(other);
            nom::Err::Error(e)
        }
        e => e,
    })
}

fn version_def(i: Input<'_>) -> PResult<'_, Version> {
    let first = i.peek();
    let doc = first.doc.as_deref().map(str::to_string);
    let (i, _) = tok(Tok::Version)(i)?;
    let (i, name) = commit(ident(i))?;
    let (mut i, _) = commit(tok(Tok::LBrace)(i))?;
    let mut procedures = Vec::new();
    loop {
        let (r, p) = commit(procedure(i))?;
        procedures.push(p);
        i = r;
        if i.peek().kind == Tok::RBrace {
            break;
        }
    }
    let (i, _) = tok(Tok::RBrace)(i)?;
    let (i, _) = commit(tok(Tok::Equal)(i))?;
    let (i, number) = commit(value(false)(i))?;
    let (i, semi) = commit(tok(Tok::Semi)(i))?;
    Ok((i, Version { name, procedures, number, doc, span: first.span.to(semi.span) }))
}

fn procedure(i: Input<'_>) -> PResult<'_, Procedure> {
    let first = i.peek();
    let doc = first.doc.as_deref().map(str::to_string);
    let (i, result) = type_spec(i, 0)?;
    let (i, name) = commit(ident(i))?;
    let (mut i, _) = commit(tok(Tok::LParen)(i))?;
    let mut args = Vec::new();
    if i.peek().kind != Tok::RParen {
        loop {
            let (r, a) = commit(proc_arg(i))?;
            args.push(a);
            let (r, more) = eat(r, Tok::Comma);
            i = r;
            if !more {
                break;
            }
        }
    }
    let (i, _) = commit(tok(Tok::RParen).parse(i).map_err(|e| match e {
        nom::Err::Error(mut e) => {
            e.expected.push("`,`");
            nom::Err::Error(e)
        }
        e => e,
    }))?;
    let (i, _) = commit(tok(Tok::Equal)(i))?;
    let (i, number) = commit(value(false)(i))?;
    let (i, semi) = commit(tok(Tok::Semi)(i))?;
    Ok((i, Procedure { result, name, args, number, doc, span: first.span.to(semi.span) }))
}

/// `T [name] [* [name]] [<N>]` as rpcgen accepts it.
fn proc_arg(i: Input<'_>) -> PResult<'_, ProcArg> {
    let (i, ty) = type_spec(i, 0)?;
    let start = ty.span;
    let mut name = None;
    let mut i = i;
    if i.peek().kind == Tok::Ident {
        let (r, n) = ident(i)?;
        name = Some(n);
        i = r;
    }
    let (mut i, optional) = eat(i, Tok::Star);
    if optional && name.is_none() && i.peek().kind == Tok::Ident {
        let (r, n) = ident(i)?;
        name = Some(n);
        i = r;
    }
    let mut bound = None;
    if i.peek().kind == Tok::LAngle {
        let (r, _) = tok(Tok::LAngle)(i)?;
        let (r, v) = if r.peek().kind == Tok::RAngle {
            (r, None)
        } else {
            let (r, v) = commit(value(false)(r))?;
            (r, Some(v))
        };
        let (r, _) = commit(tok(Tok::RAngle)(r))?;
        bound = Some(v);
        i = r;
    }
    let end = i.prev().map_or(start, |t| t.span);
    Ok((i, ProcArg { ty, name, optional, bound, span: start.to(end) }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::{DeclKind, TypeSpecKind};
    use crate::loader::MemoryLoader;
    use crate::preprocess::preprocess;

    fn parse_str(src: &str) -> (Spec, Vec<String>) {
        let mut map = SourceMap::new();
        let root = map.add("t.x", None, src.into(), None);
        let mut diags = Vec::new();
        let pp = preprocess(&mut map, root, &MemoryLoader::new(), &[], &[], &mut diags);
        let spec = parse(pp, &map, &mut diags);
        let d = diags.iter().map(|d| format!("{}: {}", map.location(d.span), d.message)).collect();
        (spec, d)
    }

    #[test]
    fn parses_all_definition_kinds() {
        let (spec, d) = parse_str(
            "const A = 0x10;\n\
             typedef opaque buf<A>;\n\
             enum color { RED, GREEN = 3, };\n\
             struct s { unsigned hyper h; s *next; int v[2]; string name<>; };\n\
             union u switch (color c) { case RED: case GREEN: int x; default: void; };\n\
             %passthrough\n\
             program P { version V { void NUL(void) = 0; int ADD(int a, int b) = 1; } = 1; } = 0x20000001;\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(spec.items.len(), 7);
        let Item::Definition(Definition { kind: DefinitionKind::Struct(_, body), .. }) =
            &spec.items[3]
        else {
            panic!("not a struct: {:?}", spec.items[3]);
        };
        assert_eq!(body.fields[1].kind, DeclKind::Optional);
        assert!(matches!(body.fields[3].ty.kind, TypeSpecKind::String));
    }

    #[test]
    fn missing_semicolon_is_reported_where_missing() {
        let (_, d) = parse_str("const A = 1\nconst B = 2;\nstruct s { int x }\n;");
        assert_eq!(
            d,
            ["t.x:1:12: expected `;`, found keyword `const`", "t.x:3:17: expected `;`, found `}`",]
        );
    }

    #[test]
    fn several_errors_and_recovery() {
        let (spec, d) =
            parse_str("struct a { int; };\nfoo bar;\nstruct ok { int x; };\nenum e { A B };\n");
        assert_eq!(
            d,
            [
                "t.x:1:15: expected identifier, found `;`",
                "t.x:2:1: expected a definition (`const`, `typedef`, `enum`, `struct`, `union` or `program`), found identifier `foo`",
                "t.x:4:12: expected one of `,`, `=` or `}`, found identifier `B`",
            ]
        );
        assert_eq!(spec.items.len(), 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "struct s { ".to_string()
            + &"struct { ".repeat(100)
            + "int x; "
            + &"} f; ".repeat(100)
            + "};";
        let (_, d) = parse_str(&src);
        assert_eq!(d.len(), 1);
        assert!(d[0].contains("nested deeper than 32"), "{d:?}");
    }
}
