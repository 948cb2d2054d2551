//! The `.x` lexer: turns one source text into tokens, comments, `%`
//! passthrough lines and preprocessor directive lines.
//!
//! Like rpcgen, `%` and `#` are special only at the start of a line (after
//! optional blanks). A backslash-newline continues a `%` or `#` line.

use std::rc::Rc;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Token kinds of the `.x` language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    Ident,
    Number,
    Str,
    Char,
    // keywords
    Const,
    Typedef,
    Enum,
    Struct,
    Union,
    Switch,
    Case,
    Default,
    Program,
    Version,
    Opaque,
    String,
    Bool,
    Void,
    Char_,
    Int,
    Unsigned,
    Short,
    Long,
    Hyper,
    Float,
    Double,
    Quadruple,
    // punctuation
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LAngle,
    RAngle,
    LParen,
    RParen,
    Semi,
    Colon,
    Comma,
    Equal,
    Star,
    Eof,
}

impl Tok {
    /// How the token kind is named in "expected ..." messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Tok::Ident => "identifier",
            Tok::Number => "number",
            Tok::Str => "string literal",
            Tok::Char => "character literal",
            Tok::Const => "`const`",
            Tok::Typedef => "`typedef`",
            Tok::Enum => "`enum`",
            Tok::Struct => "`struct`",
            Tok::Union => "`union`",
            Tok::Switch => "`switch`",
            Tok::Case => "`case`",
            Tok::Default => "`default`",
            Tok::Program => "`program`",
            Tok::Version => "`version`",
            Tok::Opaque => "`opaque`",
            Tok::String => "`string`",
            Tok::Bool => "`bool`",
            Tok::Void => "`void`",
            Tok::Char_ => "`char`",
            Tok::Int => "`int`",
            Tok::Unsigned => "`unsigned`",
            Tok::Short => "`short`",
            Tok::Long => "`long`",
            Tok::Hyper => "`hyper`",
            Tok::Float => "`float`",
            Tok::Double => "`double`",
            Tok::Quadruple => "`quadruple`",
            Tok::LBrace => "`{`",
            Tok::RBrace => "`}`",
            Tok::LBracket => "`[`",
            Tok::RBracket => "`]`",
            Tok::LAngle => "`<`",
            Tok::RAngle => "`>`",
            Tok::LParen => "`(`",
            Tok::RParen => "`)`",
            Tok::Semi => "`;`",
            Tok::Colon => "`:`",
            Tok::Comma => "`,`",
            Tok::Equal => "`=`",
            Tok::Star => "`*`",
            Tok::Eof => "end of file",
        }
    }

    /// Whether this is a keyword (or identifier), i.e. a word a macro may replace.
    pub(crate) fn is_word(self) -> bool {
        keyword_kind_is_word(self)
    }
}

fn keyword_kind_is_word(t: Tok) -> bool {
    !matches!(
        t,
        Tok::Number
            | Tok::Str
            | Tok::Char
            | Tok::LBrace
            | Tok::RBrace
            | Tok::LBracket
            | Tok::RBracket
            | Tok::LAngle
            | Tok::RAngle
            | Tok::LParen
            | Tok::RParen
            | Tok::Semi
            | Tok::Colon
            | Tok::Comma
            | Tok::Equal
            | Tok::Star
            | Tok::Eof
    )
}

fn keyword(word: &str) -> Tok {
    match word {
        "const" => Tok::Const,
        "typedef" => Tok::Typedef,
        "enum" => Tok::Enum,
        "struct" => Tok::Struct,
        "union" => Tok::Union,
        "switch" => Tok::Switch,
        "case" => Tok::Case,
        "default" => Tok::Default,
        "program" => Tok::Program,
        "version" => Tok::Version,
        "opaque" => Tok::Opaque,
        "string" => Tok::String,
        "bool" => Tok::Bool,
        "void" => Tok::Void,
        "char" => Tok::Char_,
        "int" => Tok::Int,
        "unsigned" => Tok::Unsigned,
        "short" => Tok::Short,
        "long" => Tok::Long,
        "hyper" => Tok::Hyper,
        "float" => Tok::Float,
        "double" => Tok::Double,
        "quadruple" => Tok::Quadruple,
        _ => Tok::Ident,
    }
}

/// One token. `span` is where it is reported (for a macro expansion, the
/// macro's use site); `text` is its spelling.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub(crate) kind: Tok,
    pub(crate) span: Span,
    pub(crate) text: Rc<str>,
    /// Comment text immediately preceding the token on its own lines.
    pub(crate) doc: Option<Rc<str>>,
}

/// What the lexer produces, in source order.
#[derive(Debug, Clone)]
pub(crate) enum Raw {
    Token(Token),
    /// A whole `#` line (with continuations), `#` included.
    Directive(Span),
    /// A `%` line: its span and its text after the `%`, continuations joined.
    Passthrough(Span, String),
    /// A comment; `own_line` if nothing but blanks precedes it on its line.
    Comment(Span, bool),
    /// A lexical error, reported only if the text is not skipped by `#if`.
    Error(Diagnostic),
}

/// Lexes `text`, which starts at byte `base` of `file`. With `lines`
/// false (macro bodies) `#` and `%` are ordinary characters.
pub(crate) fn lex(file: FileId, text: &str, base: u32, lines: bool) -> Vec<Raw> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0usize;
    let mut line_start = lines;
    let mut line_has_item = false;
    let sp = |s: usize, e: usize| Span::new(file, base + s as u32, base + e as u32);
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = lines;
                line_has_item = false;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'#' if line_start => {
                let end = directive_end(b, i);
                out.push(Raw::Directive(sp(i, end)));
                i = end;
                continue;
            }
            b'%' if line_start => {
                let (end, joined) = logical_line(text, i + 1);
                out.push(Raw::Passthrough(sp(i, end), joined));
                i = end;
                continue;
            }
            _ => {}
        }
        line_start = false;
        let start = i;
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match find(b, i + 2, b"*/") {
                Some(e) => {
                    i = e + 2;
                    out.push(Raw::Comment(sp(start, i), !line_has_item));
                }
                None => {
                    out.push(Raw::Error(Diagnostic::error(
                        sp(start, start + 2),
                        "unterminated comment",
                    )));
                    i = b.len();
                }
            }
            line_has_item = true;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            out.push(Raw::Comment(sp(start, i), !line_has_item));
            line_has_item = true;
            continue;
        }
        line_has_item = true;
        let push = |out: &mut Vec<Raw>, kind: Tok, s: usize, e: usize| {
            out.push(Raw::Token(Token {
                kind,
                span: sp(s, e),
                text: Rc::from(&text[s..e]),
                doc: None,
            }));
        };
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            push(&mut out, keyword(&text[start..i]), start, i);
            continue;
        }
        if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if number_value(&text[start..i]).is_none() {
                out.push(Raw::Error(Diagnostic::error(
                    sp(start, i),
                    number_error(&text[start..i]),
                )));
            }
            // Kept even when invalid, so the parser does not report it again.
            push(&mut out, Tok::Number, start, i);
            continue;
        }
        if c == b'"' || c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != c && b[i] != b'\n' {
                i += 1;
            }
            if b.get(i) != Some(&c) {
                out.push(Raw::Error(Diagnostic::error(
                    sp(start, i),
                    if c == b'"' {
                        "unterminated string literal"
                    } else {
                        "unterminated character literal"
                    },
                )));
                push(&mut out, if c == b'"' { Tok::Str } else { Tok::Char }, start, i);
                continue;
            }
            i += 1;
            if c == b'"' {
                push(&mut out, Tok::Str, start, i);
            } else if text[start + 1..i - 1].chars().count() != 1 {
                out.push(Raw::Error(Diagnostic::error(
                    sp(start, i),
                    "a character literal holds exactly one character",
                )));
            } else {
                push(&mut out, Tok::Char, start, i);
            }
            continue;
        }
        let kind = match c {
            b'{' => Tok::LBrace,
            b'}' => Tok::RBrace,
            b'[' => Tok::LBracket,
            b']' => Tok::RBracket,
            b'<' => Tok::LAngle,
            b'>' => Tok::RAngle,
            b'(' => Tok::LParen,
            b')' => Tok::RParen,
            b';' => Tok::Semi,
            b':' => Tok::Colon,
            b',' => Tok::Comma,
            b'=' => Tok::Equal,
            b'*' => Tok::Star,
            _ => {
                let ch = text[i..].chars().next().unwrap_or('?');
                i += ch.len_utf8();
                let shown = if ch.is_control() || ch.is_whitespace() {
                    format!("U+{:04X}", ch as u32)
                } else {
                    format!("`{ch}`")
                };
                out.push(Raw::Error(Diagnostic::error(
                    sp(start, i),
                    format!("unexpected character {shown}"),
                )));
                continue;
            }
        };
        i += 1;
        push(&mut out, kind, start, i);
    }
    out
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?.windows(pat.len()).position(|w| w == pat).map(|p| p + from)
}

/// End (exclusive, before the newline) of a `#` line starting at `i`:
/// follows backslash-newlines, and block comments that run past the line.
fn directive_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\n' => return i,
            b'\\' if b.get(i + 1) == Some(&b'\n') => i += 2,
            b'\\' if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => i += 3,
            b'/' if b.get(i + 1) == Some(&b'*') => match find(b, i + 2, b"*/") {
                Some(e) => i = e + 2,
                None => return b.len(),
            },
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < b.len() && b[i] != q && b[i] != b'\n' {
                    i += 1;
                }
                if i < b.len() && b[i] == q {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// The logical line starting at `i`: its end (before the newline) and its
/// text with backslash-newlines removed and a trailing `\r` dropped.
pub(crate) fn logical_line(text: &str, mut i: usize) -> (usize, String) {
    let b = text.as_bytes();
    let mut joined = String::new();
    let mut seg = i;
    while i < b.len() {
        if b[i] == b'\n' {
            break;
        }
        if b[i] == b'\\' {
            let nl = if b.get(i + 1) == Some(&b'\n') {
                Some(1)
            } else if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') {
                Some(2)
            } else {
                None
            };
            if let Some(n) = nl {
                joined.push_str(&text[seg..i]);
                i += 1 + n;
                seg = i;
                continue;
            }
        }
        i += 1;
    }
    joined.push_str(&text[seg..i]);
    if joined.ends_with('\r') {
        joined.pop();
    }
    (i, joined)
}

/// Why `text` is not a valid number token.
fn number_error(text: &str) -> String {
    let digits = text.trim_start_matches('-');
    let hex = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X"));
    let well_formed = match hex {
        Some(h) => !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()),
        None => {
            digits.chars().all(|c| c.is_ascii_digit())
                && !(digits.starts_with('0') && digits.chars().any(|c| c > '7'))
        }
    };
    if well_formed {
        format!("number `{text}` is out of range (the limit is 2^64-1 in magnitude)")
    } else {
        format!("invalid number `{text}`")
    }
}

/// The value of a number token: decimal, `0x` hexadecimal or `0` octal,
/// optionally negative. `None` if malformed or outside `-(2^64-1)..=2^64-1`.
pub(crate) fn number_value(text: &str) -> Option<i128> {
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (radix, body) =
        if let Some(h) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
            (16, h)
        } else if digits.len() > 1 && digits.starts_with('0') {
            (8, &digits[1..])
        } else {
            (10, digits)
        };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = u64::from_str_radix(body, radix).ok()? as i128;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        lex(FileId(0), text, 0, true)
            .into_iter()
            .map(|r| match r {
                Raw::Token(t) => format!("{:?}({})", t.kind, t.text),
                Raw::Directive(s) => format!("#[{}..{}]", s.start, s.end),
                Raw::Passthrough(_, t) => format!("%{t}"),
                Raw::Comment(_, own) => format!("comment({own})"),
                Raw::Error(d) => format!("error({})", d.message),
            })
            .collect()
    }

    #[test]
    fn tokens_and_lines() {
        assert_eq!(
            kinds("const A = -0x10; /* c */\n%pass \\\n more\n  #if X\nunsigned hyper"),
            [
                "Const(const)",
                "Ident(A)",
                "Equal(=)",
                "Number(-0x10)",
                "Semi(;)",
                "comment(false)",
                "%pass  more",
                "#[41..46]",
                "Unsigned(unsigned)",
                "Hyper(hyper)",
            ]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            kinds("09 @ /* x"),
            [
                "error(invalid number `09`)",
                "Number(09)",
                "error(unexpected character `@`)",
                "error(unterminated comment)"
            ]
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(number_value("010"), Some(8));
        assert_eq!(number_value("0"), Some(0));
        assert_eq!(number_value("-0x7fffffff"), Some(-0x7fff_ffff));
        assert_eq!(number_value("18446744073709551615"), Some(u64::MAX as i128));
        assert_eq!(number_value("18446744073709551616"), None);
        assert_eq!(number_value("0x"), None);
        assert_eq!(number_value("12ab"), None);
    }
}
