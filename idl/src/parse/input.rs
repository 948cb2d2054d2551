//! The token-slice input type the nom parsers run on, the parse error type
//! and the token-level primitive parsers.

use std::iter::Enumerate;
use std::slice::Iter;

use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Needed};

use crate::ast::{Ident, Value, ValueKind};
use crate::diagnostic::Diagnostic;
use crate::lexer::{Tok, Token, number_value};

/// A window `pos..end` of the preprocessed tokens. Positions are absolute
/// so errors can be mapped back to tokens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    pub(crate) toks: &'a [Token],
    pub(crate) pos: usize,
    end: usize,
}

impl<'a> Input<'a> {
    /// All of `toks`, which must end with an `Eof` token.
    pub(crate) fn new(toks: &'a [Token]) -> Self {
        Input { toks, pos: 0, end: toks.len() }
    }

    /// The same tokens from absolute position `pos`.
    pub(crate) fn at(self, pos: usize) -> Self {
        Input { pos: pos.min(self.end), ..self }
    }

    /// The next token (the final `Eof` once the input is used up).
    pub(crate) fn peek(&self) -> &'a Token {
        self.peek_n(0)
    }

    /// The token `n` places ahead (clamped to the final `Eof`).
    pub(crate) fn peek_n(&self, n: usize) -> &'a Token {
        let last = self.toks.len().saturating_sub(1);
        &self.toks[(self.pos + n).min(self.end.saturating_sub(1)).min(last)]
    }

    /// The token before the next one, if any.
    pub(crate) fn prev(&self) -> Option<&'a Token> {
        self.pos.checked_sub(1).and_then(|p| self.toks.get(p))
    }

    fn advance(self) -> Self {
        self.at(self.pos + 1)
    }
}

impl<'a> nom::Input for Input<'a> {
    type Item = &'a Token;
    type Iter = Iter<'a, Token>;
    type IterIndices = Enumerate<Iter<'a, Token>>;

    fn input_len(&self) -> usize {
        self.end - self.pos
    }

    fn take(&self, index: usize) -> Self {
        Input { end: (self.pos + index).min(self.end), ..*self }
    }

    fn take_from(&self, index: usize) -> Self {
        self.at(self.pos + index)
    }

    fn take_split(&self, index: usize) -> (Self, Self) {
        (self.take_from(index), self.take(index))
    }

    fn position<P>(&self, predicate: P) -> Option<usize>
    where
        P: Fn(Self::Item) -> bool,
    {
        self.toks[self.pos..self.end].iter().position(predicate)
    }

    fn iter_elements(&self) -> Self::Iter {
        self.toks[self.pos..self.end].iter()
    }

    fn iter_indices(&self) -> Self::IterIndices {
        self.toks[self.pos..self.end].iter().enumerate()
    }

    fn slice_index(&self, count: usize) -> Result<usize, Needed> {
        let len = self.input_len();
        if count <= len { Ok(count) } else { Err(Needed::new(count - len)) }
    }
}

/// Why parsing stopped: the furthest position reached and what would have
/// been accepted there, or a specific message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PErr {
    pub(crate) pos: usize,
    pub(crate) expected: Vec<&'static str>,
    pub(crate) message: Option<String>,
}

impl PErr {
    pub(crate) fn expected(pos: usize, what: &'static str) -> Self {
        PErr { pos, expected: vec![what], message: None }
    }

    pub(crate) fn message(pos: usize, message: impl Into<String>) -> Self {
        PErr { pos, expected: Vec::new(), message: Some(message.into()) }
    }

    /// The diagnostic for this error. A missing `;` is reported just after
    /// the token it should follow.
    pub(crate) fn to_diagnostic(&self, toks: &[Token]) -> Diagnostic {
        let last = toks.len().saturating_sub(1);
        let Some(tok) = toks.get(self.pos.min(last)) else {
            // Unreachable in practice: the token list always ends with Eof.
            return Diagnostic::error(
                crate::source::Span::new(crate::source::FileId(0), 0, 0),
                "syntax error",
            );
        };
        if let Some(m) = &self.message {
            return Diagnostic::error(tok.span, m.clone());
        }
        let found = describe_token(tok);
        let mut expected = self.expected.clone();
        expected.sort_unstable();
        expected.dedup();
        let list = match expected.as_slice() {
            [] => "something else".to_string(),
            [one] => (*one).to_string(),
            [a, b] => format!("{a} or {b}"),
            [init @ .., last] => format!("one of {} or {last}", init.join(", ")),
        };
        let message = format!("expected {list}, found {found}");
        let point_after = expected.iter().all(|e| *e == "`;`" || *e == "`,`");
        match self.pos.checked_sub(1).and_then(|p| toks.get(p)) {
            Some(prev) if point_after && !expected.is_empty() => {
                Diagnostic::error(prev.span.after(), message)
            }
            _ => Diagnostic::error(tok.span, message),
        }
    }
}

/// "keyword `struct`", "identifier `foo`", "`}`", "end of file".
pub(crate) fn describe_token(tok: &Token) -> String {
    match tok.kind {
        Tok::Eof => "end of file".to_string(),
        Tok::Ident => format!("identifier `{}`", tok.text),
        Tok::Number => format!("number `{}`", tok.text),
        Tok::Str | Tok::Char => format!("literal {}", tok.text),
        k if k.is_word() => format!("keyword `{}`", tok.text),
        _ => format!("`{}`", tok.text),
    }
}

impl<'a> ParseError<Input<'a>> for PErr {
    fn from_error_kind(input: Input<'a>, _kind: ErrorKind) -> Self {
        PErr { pos: input.pos, expected: Vec::new(), message: None }
    }

    fn append(_input: Input<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(mut self, other: Self) -> Self {
        if other.pos > self.pos || (other.pos == self.pos && other.message.is_some()) {
            return other;
        }
        if other.pos == self.pos && self.message.is_none() {
            self.expected.extend(other.expected);
        }
        self
    }
}

/// The result type of every parser here.
pub(crate) type PResult<'a, T> = IResult<Input<'a>, T, PErr>;

/// Turns a recoverable error into a committed one (like nom's `cut`).
pub(crate) fn commit<T>(r: PResult<'_, T>) -> PResult<'_, T> {
    match r {
        Err(nom::Err::Error(e)) => Err(nom::Err::Failure(e)),
        other => other,
    }
}

/// One token of kind `kind`.
pub(crate) fn tok(kind: Tok) -> impl Fn(Input<'_>) -> PResult<'_, &Token> {
    move |i: Input<'_>| {
        let t = i.peek();
        if t.kind == kind {
            Ok((i.advance(), t))
        } else {
            Err(nom::Err::Error(PErr::expected(i.pos, kind.describe())))
        }
    }
}

/// Consumes a token of kind `kind` if it is next.
pub(crate) fn eat(i: Input<'_>, kind: Tok) -> (Input<'_>, bool) {
    if i.peek().kind == kind { (i.advance(), true) } else { (i, false) }
}

/// An identifier.
pub(crate) fn ident(i: Input<'_>) -> PResult<'_, Ident> {
    let (rest, t) = tok(Tok::Ident)(i)?;
    Ok((rest, Ident { name: t.text.to_string(), span: t.span }))
}

/// A number, character literal or name; with `strings`, a string literal too.
pub(crate) fn value(strings: bool) -> impl Fn(Input<'_>) -> PResult<'_, Value> {
    move |i: Input<'_>| {
        let t = i.peek();
        let kind = match t.kind {
            Tok::Number => ValueKind::Number(number_value(&t.text).unwrap_or_default()),
            Tok::Ident => ValueKind::Name(t.text.to_string()),
            Tok::Char => {
                ValueKind::Number(t.text.chars().nth(1).map_or(0, |c| i128::from(u32::from(c))))
            }
            Tok::Str if strings => ValueKind::Str(t.text.trim_matches('"').to_string()),
            _ => {
                let mut e = PErr::expected(i.pos, "a number");
                e.expected.push("a constant name");
                return Err(nom::Err::Error(e));
            }
        };
        Ok((i.advance(), Value { kind, span: t.span }))
    }
}
