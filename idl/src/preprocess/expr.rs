//! Tokens of preprocessor directive lines and the `#if` expression
//! evaluator (C integer expressions over `i64`, `defined NAME`,
//! `defined(NAME)`; unknown identifiers are 0 as in cpp).

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, Span};

/// Deepest parenthesis/unary nesting accepted in an `#if` expression.
const MAX_DEPTH: u32 = 64;

/// A token of a directive line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PpKind {
    Ident(String),
    Number(i64),
    Punct(&'static str),
    /// A `"..."` string (contents only).
    Str(String),
    /// Anything else (kept so the caller can complain about it).
    Other(char),
}

/// A directive-line token with its location.
#[derive(Debug, Clone)]
pub(crate) struct PpTok {
    pub(crate) kind: PpKind,
    pub(crate) span: Span,
}

const PUNCTS: [&str; 27] = [
    "<<", ">>", "<=", ">=", "==", "!=", "&&", "||", "(", ")", "!", "~", "+", "-", "*", "/", "%",
    "<", ">", "&", "^", "|", "?", ":", ",", "#", "=",
];

/// Splits directive text (starting at byte `base` of `file`) into tokens,
/// dropping comments and backslash-newlines.
pub(crate) fn pp_lex(file: FileId, text: &str, base: u32) -> Vec<PpTok> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let sp = |s: usize, e: usize| Span::new(file, base + s as u32, base + e as u32);
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b'\\' && matches!(b.get(i + 1), Some(b'\n' | b'\r')) {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i = text[i + 2..].find("*/").map_or(b.len(), |p| i + 2 + p + 2);
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            break;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(PpTok { kind: PpKind::Ident(text[start..i].to_string()), span: sp(start, i) });
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let kind = match c_number(&text[start..i]) {
                Some(v) => PpKind::Number(v),
                None => PpKind::Other(c as char),
            };
            out.push(PpTok { kind, span: sp(start, i) });
            continue;
        }
        if c == b'"' {
            i += 1;
            while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                i += 1;
            }
            let contents = text[start + 1..i].to_string();
            if i < b.len() && b[i] == b'"' {
                i += 1;
                out.push(PpTok { kind: PpKind::Str(contents), span: sp(start, i) });
            } else {
                out.push(PpTok { kind: PpKind::Other('"'), span: sp(start, i) });
            }
            continue;
        }
        if let Some(p) = PUNCTS.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            out.push(PpTok { kind: PpKind::Punct(p), span: sp(start, i) });
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or('?');
        i += ch.len_utf8();
        out.push(PpTok { kind: PpKind::Other(ch), span: sp(start, i) });
    }
    out
}

/// A C integer literal (decimal, octal, hex, with `u`/`l` suffixes ignored).
fn c_number(text: &str) -> Option<i64> {
    let t = text.trim_end_matches(['u', 'U', 'l', 'L']);
    let (radix, body) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    u64::from_str_radix(body, radix).ok().map(|v| v as i64)
}

/// Evaluates a fully macro-expanded `#if` expression (identifiers left in
/// it count as 0). `at` is the directive, for errors about its end.
pub(crate) fn eval(toks: &[PpTok], at: Span) -> Result<i64, Diagnostic> {
    let mut p = Eval { toks, pos: 0, at };
    if toks.is_empty() {
        return Err(Diagnostic::error(at, "`#if` with no expression"));
    }
    let v = p.cond(0)?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(Diagnostic::error(t.span, "unexpected token in preprocessor expression"));
    }
    Ok(v)
}

struct Eval<'a> {
    toks: &'a [PpTok],
    pos: usize,
    at: Span,
}

/// Binary operators by precedence level, loosest first.
const LEVELS: [&[&str]; 10] = [
    &["||"],
    &["&&"],
    &["|"],
    &["^"],
    &["&"],
    &["==", "!="],
    &["<", ">", "<=", ">="],
    &["<<", ">>"],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Eval<'_> {
    fn peek_punct(&self) -> Option<&'static str> {
        match self.toks.get(self.pos) {
            Some(PpTok { kind: PpKind::Punct(p), .. }) => Some(p),
            _ => None,
        }
    }

    fn here(&self) -> Span {
        self.toks
            .get(self.pos)
            .map_or(Span::new(self.at.file, self.at.end, self.at.end), |t| t.span)
    }

    fn cond(&mut self, depth: u32) -> Result<i64, Diagnostic> {
        if depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                self.here(),
                format!("preprocessor expression nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let c = self.binary(0, depth)?;
        if self.peek_punct() == Some("?") {
            self.pos += 1;
            let a = self.cond(depth + 1)?;
            if self.peek_punct() != Some(":") {
                return Err(Diagnostic::error(self.here(), "expected `:` in `?:`"));
            }
            self.pos += 1;
            let b = self.cond(depth + 1)?;
            return Ok(if c != 0 { a } else { b });
        }
        Ok(c)
    }

    fn binary(&mut self, level: usize, depth: u32) -> Result<i64, Diagnostic> {
        let Some(ops) = LEVELS.get(level) else {
            return self.unary(depth);
        };
        let mut lhs = self.binary(level + 1, depth)?;
        while let Some(op) = self.peek_punct().filter(|p| ops.contains(p)) {
            let op_span = self.here();
            self.pos += 1;
            let rhs = self.binary(level + 1, depth)?;
            lhs = match op {
                "||" => i64::from(lhs != 0 || rhs != 0),
                "&&" => i64::from(lhs != 0 && rhs != 0),
                "|" => lhs | rhs,
                "^" => lhs ^ rhs,
                "&" => lhs & rhs,
                "==" => i64::from(lhs == rhs),
                "!=" => i64::from(lhs != rhs),
                "<" => i64::from(lhs < rhs),
                ">" => i64::from(lhs > rhs),
                "<=" => i64::from(lhs <= rhs),
                ">=" => i64::from(lhs >= rhs),
                "<<" => lhs.wrapping_shl((rhs & 63) as u32),
                ">>" => lhs.wrapping_shr((rhs & 63) as u32),
                "+" => lhs.wrapping_add(rhs),
                "-" => lhs.wrapping_sub(rhs),
                "*" => lhs.wrapping_mul(rhs),
                _ => {
                    if rhs == 0 {
                        return Err(Diagnostic::error(
                            op_span,
                            "division by zero in preprocessor expression",
                        ));
                    }
                    if op == "/" { lhs.wrapping_div(rhs) } else { lhs.wrapping_rem(rhs) }
                }
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self, depth: u32) -> Result<i64, Diagnostic> {
        if depth > MAX_DEPTH {
            return Err(Diagnostic::error(
                self.here(),
                format!("preprocessor expression nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        let Some(t) = self.toks.get(self.pos) else {
            return Err(Diagnostic::error(
                self.here(),
                "preprocessor expression ends unexpectedly",
            ));
        };
        self.pos += 1;
        match &t.kind {
            PpKind::Number(v) => Ok(*v),
            PpKind::Ident(_) => Ok(0),
            PpKind::Punct("!") => Ok(i64::from(self.unary(depth + 1)? == 0)),
            PpKind::Punct("~") => Ok(!self.unary(depth + 1)?),
            PpKind::Punct("-") => Ok(self.unary(depth + 1)?.wrapping_neg()),
            PpKind::Punct("+") => self.unary(depth + 1),
            PpKind::Punct("(") => {
                let v = self.cond(depth + 1)?;
                if self.peek_punct() != Some(")") {
                    return Err(Diagnostic::error(self.here(), "expected `)`"));
                }
                self.pos += 1;
                Ok(v)
            }
            _ => Err(Diagnostic::error(t.span, "unexpected token in preprocessor expression")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Result<i64, String> {
        let f = FileId(0);
        eval(&pp_lex(f, s, 0), Span::new(f, 0, 0)).map_err(|d| d.message)
    }

    #[test]
    fn arithmetic_and_logic() {
        assert_eq!(ev("1 + 2 * 3"), Ok(7));
        assert_eq!(ev("(1 + 2) * 3 == 9 && !0"), Ok(1));
        assert_eq!(ev("0x10 >> 2 | 010"), Ok(12));
        assert_eq!(ev("UNKNOWN || 2 > 1 ? 5 : 6"), Ok(5));
        assert_eq!(ev("-1 < 0 /* comment */"), Ok(1));
        assert_eq!(ev("10UL % 4"), Ok(2));
    }

    #[test]
    fn errors() {
        assert!(ev("1 / 0").unwrap_err().contains("division by zero"));
        assert!(ev("(1").unwrap_err().contains("expected `)`"));
        assert!(ev("1 2").unwrap_err().contains("unexpected token"));
        assert!(ev("").unwrap_err().contains("no expression"));
        let deep = "(".repeat(200) + "1" + &")".repeat(200);
        assert!(ev(&deep).unwrap_err().contains("nested deeper"));
        let neg = "-".repeat(200) + "1";
        assert!(ev(&neg).unwrap_err().contains("nested deeper"));
    }
}
