//! Diagnostics as values, and their rustc-style rendering.
//!
//! ```text
//! bad.x:3:9: error: undefined type `fo`
//!   |
//! 3 |     fo x;
//!   |     ^^
//! bad.x:1:8: note: `foo` is defined here
//!   |
//! 1 | struct foo { int a; };
//!   |        ^^^
//! ```

use std::fmt::Write as _;

use crate::source::{SourceMap, Span};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The input is rejected.
    Error,
    /// The input is accepted but probably not what was meant.
    Warning,
}

impl Severity {
    fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary location with its own message (rendered as a `note:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it, e.g. "first defined here".
    pub message: String,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The main message.
    pub message: String,
    /// Where the problem is.
    pub span: Span,
    /// Related locations ("first defined here").
    pub labels: Vec<Label>,
    /// Free-standing notes without a location.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(span, message) }
    }

    /// Adds a located note.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Adds a note without a location.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders this diagnostic with the sources it refers to.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        render_located(&mut out, sources, self.span, self.severity.as_str(), &self.message);
        for label in &self.labels {
            render_located(&mut out, sources, label.span, "note", &label.message);
        }
        for note in &self.notes {
            let _ = writeln!(out, "note: {note}");
        }
        let mut file = sources.get(self.span.file);
        let mut depth = 0;
        while let Some(from) = file.and_then(|f| f.included_from()) {
            let lc = sources.line_col(from);
            let name = sources.get(from.file).map_or("<unknown>", |f| f.name());
            let _ = writeln!(out, "note: in file included from {name}:{}", lc.line);
            file = sources.get(from.file);
            depth += 1;
            if depth > 64 {
                break;
            }
        }
        out
    }
}

/// Renders all diagnostics, each followed by a blank line.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics {
        out.push_str(&d.render(sources));
        out.push('\n');
    }
    out
}

/// Longest source line shown whole, in bytes. A longer line is cut to
/// about this much around the span, with `...` where it was cut, so that a
/// diagnostic's size does not grow with its line: a file of one long line
/// full of errors would otherwise render in memory quadratic in its size.
const MAX_LINE_SHOWN: usize = 160;
/// Bytes of a cut line shown before the span.
const CONTEXT_BEFORE: usize = 60;

fn render_located(out: &mut String, sources: &SourceMap, span: Span, kind: &str, message: &str) {
    let Some(file) = sources.get(span.file) else {
        let _ = writeln!(out, "{kind}: {message}");
        return;
    };
    let start = file.line_col(span.start);
    let _ = writeln!(out, "{}:{}:{}: {kind}: {message}", file.name(), start.line, start.col);
    let line = file.line_text(start.line);
    let line_start = file.line_start(start.line) as usize;
    // The part of the line shown: all of it, or a window around the span.
    let (from, to) = if line.len() <= MAX_LINE_SHOWN {
        (0, line.len())
    } else {
        let at = (span.start as usize).saturating_sub(line_start).min(line.len());
        let from = floor_char_boundary(line, at.saturating_sub(CONTEXT_BEFORE));
        (from, ceil_char_boundary(line, from + MAX_LINE_SHOWN))
    };
    let (cut_before, cut_after) = (from > 0, to < line.len());
    // Expand tabs so the underline lines up whatever the terminal's tab stops.
    let mut shown = String::new();
    let mut pad = 0usize;
    let mut width = 0usize;
    if cut_before {
        shown.push_str("...");
        pad += 3;
    }
    let (s0, s1) = (span.start as usize, span.end as usize);
    for (i, ch) in line[from..to].char_indices() {
        let at = line_start + from + i;
        let w = if ch == '\t' { 4 } else { 1 };
        if ch == '\t' {
            shown.push_str("    ");
        } else if ch.is_control() {
            shown.push(' ');
        } else {
            shown.push(ch);
        }
        if at < s0 {
            pad += w;
        } else if at < s1 {
            width += w;
        }
    }
    if cut_after {
        shown.push_str("...");
    }
    let width = width.max(1);
    let gutter = start.line.to_string();
    let blank = " ".repeat(gutter.len());
    let _ = writeln!(out, "{blank} |");
    let _ = writeln!(out, "{gutter} | {}", shown.trim_end());
    let _ = writeln!(out, "{blank} | {}{}", " ".repeat(pad), "^".repeat(width));
}

/// The largest char boundary of `s` at or before `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    (0..=i.min(s.len())).rev().find(|&b| s.is_char_boundary(b)).unwrap_or(0)
}

/// The smallest char boundary of `s` at or after `i`.
fn ceil_char_boundary(s: &str, i: usize) -> usize {
    (i.min(s.len())..=s.len()).find(|&b| s.is_char_boundary(b)).unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_underline_and_note() {
        let mut map = SourceMap::new();
        let f = map.add("a.x", None, "struct foo {\n\tfo x;\n};\n".into(), None);
        let d = Diagnostic::error(Span::new(f, 14, 16), "undefined type `fo`")
            .with_label(Span::new(f, 7, 10), "`foo` is defined here")
            .with_note("types are case sensitive");
        let text = d.render(&map);
        assert_eq!(
            text,
            "a.x:2:2: error: undefined type `fo`\n  |\n2 |     fo x;\n  |     ^^\n\
             a.x:1:8: note: `foo` is defined here\n  |\n1 | struct foo {\n  |        ^^^\n\
             note: types are case sensitive\n"
        );
    }

    /// Found by the `idl_frontend` fuzz target: every diagnostic showed
    /// its whole line, so 20 000 unexpected characters on one line
    /// rendered to about 1 GB.
    #[test]
    fn long_lines_are_cut_around_the_span() {
        let mut map = SourceMap::new();
        let text = format!("{}\tbad é{}\n", "a".repeat(1000), "b".repeat(1000));
        let f = map.add("a.x", None, text, None);
        let d = Diagnostic::error(Span::new(f, 1001, 1004), "unexpected `bad`");
        let shown = format!("...{}    bad é{}...", "a".repeat(59), "b".repeat(94));
        let underline = format!("{}^^^", " ".repeat(3 + 59 + 4));
        assert_eq!(
            d.render(&map),
            format!("a.x:1:1002: error: unexpected `bad`\n  |\n1 | {shown}\n  | {underline}\n")
        );
        // A span running past the window is underlined to its end.
        let d = Diagnostic::error(Span::new(f, 1001, 2000), "long");
        assert!(d.render(&map).ends_with(&format!("{}{}\n", " ".repeat(66), "^".repeat(99))));
        // The start and the end of a line.
        let first = Diagnostic::error(Span::new(f, 0, 1), "first").render(&map);
        assert!(first.contains(&format!("1 | {}...\n  | ^\n", "a".repeat(160))), "{first}");
        let last = Diagnostic::error(Span::new(f, 2006, 2007), "last").render(&map);
        assert!(last.contains(&format!("1 | ...{}\n", "b".repeat(61))), "{last}");
        // Rendering many diagnostics of one long line stays linear.
        let line = "@".repeat(20_000);
        let g = map.add("b.x", None, line, None);
        let all: Vec<_> =
            (0..20_000).map(|i| Diagnostic::error(Span::new(g, i, i + 1), "unexpected")).collect();
        assert!(render_all(&all, &map).len() < 20_000 * 300);
    }

    #[test]
    fn point_span_at_end_of_line() {
        let mut map = SourceMap::new();
        let f = map.add("a.x", None, "const A = 1\n".into(), None);
        let d = Diagnostic::error(Span::new(f, 11, 11), "expected `;`");
        assert!(d.render(&map).ends_with("1 | const A = 1\n  |            ^\n"));
    }
}
