//! The built-in preprocessor: conditionals, `#include`, object-like
//! macros, comments kept as doc text, `%` lines kept for the tree.
//!
//! It works on the lexer's output, so every token keeps the exact file and
//! offset it came from (an included file's tokens point into that file; a
//! macro's expansion points at the macro's use).

pub(crate) mod expr;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use crate::ast::Passthrough;
use crate::diagnostic::Diagnostic;
use crate::lexer::{Raw, Tok, Token, lex, logical_line};
use crate::loader::Loader;
use crate::source::{FileId, SourceMap, Span};
use expr::{PpKind, PpTok, eval, pp_lex};

/// Deepest `#include` nesting accepted.
pub const MAX_INCLUDE_DEPTH: usize = 32;
/// Deepest macro-inside-macro expansion accepted.
const MAX_EXPANSION_DEPTH: u32 = 64;
/// Most tokens macro expansion may produce in one compilation.
const MAX_EXPANDED_TOKENS: usize = 200_000;

/// The preprocessor's result: the active tokens (ending with `Eof`) and the
/// `%` lines, each with the index of the token that follows it.
#[derive(Debug)]
pub(crate) struct Preprocessed {
    pub(crate) tokens: Vec<Token>,
    pub(crate) passthrough: Vec<(usize, Passthrough)>,
}

/// One open `#if` group.
struct Cond {
    span: Span,
    /// Whether the enclosing text is active.
    parent: bool,
    /// Whether the current branch is active.
    active: bool,
    /// Whether some branch was (or, in skipped text, counts as) taken.
    taken: bool,
    seen_else: bool,
}

pub(crate) struct Preprocessor<'a> {
    map: &'a mut SourceMap,
    loader: &'a dyn Loader,
    include_dirs: &'a [PathBuf],
    diags: &'a mut Vec<Diagnostic>,
    macros: HashMap<String, String>,
    stack: Vec<PathBuf>,
    out: Vec<Token>,
    passthrough: Vec<(usize, Passthrough)>,
    pending_doc: Vec<Span>,
    expanded: usize,
    budget_reported: bool,
}

/// Preprocesses `root` (already in `map`). `defines` are applied in order:
/// `(name, Some(value))` defines, `(name, None)` undefines.
pub(crate) fn preprocess(
    map: &mut SourceMap,
    root: FileId,
    loader: &dyn Loader,
    defines: &[(String, Option<String>)],
    include_dirs: &[PathBuf],
    diags: &mut Vec<Diagnostic>,
) -> Preprocessed {
    let mut macros = HashMap::new();
    for (name, value) in defines {
        match value {
            Some(v) => macros.insert(name.clone(), v.clone()),
            None => macros.remove(name),
        };
    }
    let root_path = map.file(root).path().map(normalize);
    let mut pp = Preprocessor {
        map,
        loader,
        include_dirs,
        diags,
        macros,
        stack: root_path.into_iter().collect(),
        out: Vec::new(),
        passthrough: Vec::new(),
        pending_doc: Vec::new(),
        expanded: 0,
        budget_reported: false,
    };
    pp.process_file(root);
    let end = pp.map.file(root).text().len() as u32;
    let mut tokens = pp.out;
    tokens.push(Token {
        kind: Tok::Eof,
        span: Span::new(root, end, end),
        text: Rc::from(""),
        doc: None,
    });
    Preprocessed { tokens, passthrough: pp.passthrough }
}

/// Lexically normalises a path (drops `.`, folds `dir/..`).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl Preprocessor<'_> {
    fn line_of(&self, file: FileId, offset: u32) -> u32 {
        self.map.file(file).line_col(offset).line
    }

    fn process_file(&mut self, file: FileId) {
        let text = self.map.file(file).text().to_string();
        let raws = lex(file, &text, 0, true);
        let mut conds: Vec<Cond> = Vec::new();
        self.pending_doc.clear();
        for raw in raws {
            let active = conds.last().is_none_or(|c| c.active);
            match raw {
                Raw::Directive(span) => self.directive(file, &text, span, &mut conds),
                _ if !active => {}
                Raw::Token(t) => self.emit(t),
                Raw::Passthrough(span, text) => {
                    self.pending_doc.clear();
                    self.passthrough.push((self.out.len(), Passthrough { text, span }));
                }
                Raw::Comment(span, own_line) => self.comment(span, own_line),
                Raw::Error(d) => self.diags.push(d),
            }
        }
        for c in conds {
            self.diags.push(Diagnostic::error(
                c.span,
                "unterminated conditional: no `#endif` before the end of the file",
            ));
        }
        self.pending_doc.clear();
    }

    fn comment(&mut self, span: Span, own_line: bool) {
        if !own_line {
            self.pending_doc.clear();
            return;
        }
        if let Some(last) = self.pending_doc.last().copied()
            && (last.file != span.file
                || self.line_of(span.file, span.start) > self.line_of(last.file, last.end) + 1)
        {
            self.pending_doc.clear();
        }
        self.pending_doc.push(span);
    }

    fn emit(&mut self, mut tok: Token) {
        if let Some(last) = self.pending_doc.last().copied()
            && last.file == tok.span.file
            && self.line_of(tok.span.file, tok.span.start) <= self.line_of(last.file, last.end) + 1
        {
            let doc = self
                .pending_doc
                .iter()
                .map(|s| clean_comment(self.map.snippet(*s)))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n");
            if !doc.is_empty() {
                tok.doc = Some(Rc::from(doc));
            }
        }
        self.pending_doc.clear();
        let mut hide = Vec::new();
        self.expand(tok, &mut hide, 0);
    }

    fn expand(&mut self, tok: Token, hide: &mut Vec<String>, depth: u32) {
        let body = if tok.kind.is_word() && !hide.iter().any(|h| **h == *tok.text) {
            self.macros.get(&*tok.text).cloned()
        } else {
            None
        };
        let Some(body) = body else {
            if self.expanded <= MAX_EXPANDED_TOKENS {
                self.out.push(tok);
            }
            return;
        };
        if depth >= MAX_EXPANSION_DEPTH {
            self.diags.push(Diagnostic::error(
                tok.span,
                format!("macro expansion nested deeper than {MAX_EXPANSION_DEPTH} levels"),
            ));
            return;
        }
        hide.push(tok.text.to_string());
        let mut first = true;
        for raw in lex(tok.span.file, &body, 0, false) {
            match raw {
                Raw::Token(mut t) => {
                    self.expanded += 1;
                    if self.expanded > MAX_EXPANDED_TOKENS {
                        if !self.budget_reported {
                            self.budget_reported = true;
                            self.diags.push(Diagnostic::error(
                                tok.span,
                                format!(
                                    "macro expansion produces more than {MAX_EXPANDED_TOKENS} tokens"
                                ),
                            ));
                        }
                        break;
                    }
                    t.span = tok.span;
                    if first {
                        t.doc = tok.doc.clone();
                        first = false;
                    }
                    self.expand(t, hide, depth + 1);
                }
                Raw::Error(d) => self.diags.push(Diagnostic::error(
                    tok.span,
                    format!("in the expansion of macro `{}`: {}", tok.text, d.message),
                )),
                _ => {}
            }
        }
        hide.pop();
    }

    fn directive(&mut self, file: FileId, text: &str, span: Span, conds: &mut Vec<Cond>) {
        let active = conds.last().is_none_or(|c| c.active);
        let start = span.start as usize + 1;
        let body = text.get(start..span.end as usize).unwrap_or("");
        let toks = pp_lex(file, body, start as u32);
        let name = match toks.first() {
            None => return,                                        // the null directive `#`
            Some(PpTok { kind: PpKind::Number(_), .. }) => return, // a line marker `# 12 "file"`: locations are our own
            Some(PpTok { kind: PpKind::Ident(n), .. }) => n.clone(),
            Some(t) => {
                if active {
                    self.diags.push(Diagnostic::error(
                        t.span,
                        "expected a preprocessor directive name after `#`",
                    ));
                }
                return;
            }
        };
        let name_span = toks[0].span;
        let args = &toks[1..];
        match name.as_str() {
            "if" | "ifdef" | "ifndef" => {
                let v = if active { self.condition(&name, name_span, args, span) } else { false };
                conds.push(Cond {
                    span: name_span,
                    parent: active,
                    active: active && v,
                    taken: !active || v,
                    seen_else: false,
                });
            }
            "elif" | "else" => {
                let Some(mut c) = conds.pop() else {
                    self.diags
                        .push(Diagnostic::error(name_span, format!("`#{name}` without `#if`")));
                    return;
                };
                if c.seen_else {
                    self.diags.push(
                        Diagnostic::error(name_span, format!("`#{name}` after `#else`"))
                            .with_label(c.span, "the conditional starts here"),
                    );
                }
                if name == "else" {
                    c.seen_else = true;
                    c.active = c.parent && !c.taken;
                    c.taken = true;
                } else if c.taken {
                    c.active = false;
                } else {
                    let v = self.condition("if", name_span, args, span);
                    c.active = v;
                    c.taken = v;
                }
                conds.push(c);
            }
            "endif" => {
                if conds.pop().is_none() {
                    self.diags.push(Diagnostic::error(name_span, "`#endif` without `#if`"));
                }
            }
            _ if !active => {}
            "define" => self.define(text, name_span, args),
            "undef" => match args.first() {
                Some(PpTok { kind: PpKind::Ident(n), .. }) => {
                    self.macros.remove(n);
                }
                _ => self.diags.push(Diagnostic::error(name_span, "`#undef` needs a macro name")),
            },
            "include" => self.include(file, text, span, name_span, args),
            "error" | "warning" => {
                let msg = text
                    .get(name_span.end as usize..span.end as usize)
                    .unwrap_or("")
                    .trim()
                    .to_string();
                let d = if name == "error" {
                    Diagnostic::error(span, format!("#error {msg}"))
                } else {
                    Diagnostic::warning(span, format!("#warning {msg}"))
                };
                self.diags.push(d);
            }
            "pragma" | "ident" | "sccs" | "line" => {}
            _ => self.diags.push(Diagnostic::error(
                name_span,
                format!("unknown preprocessor directive `#{name}`"),
            )),
        }
    }

    /// Evaluates the condition of `#if`/`#ifdef`/`#ifndef`/`#elif`.
    fn condition(&mut self, kind: &str, name_span: Span, args: &[PpTok], span: Span) -> bool {
        if kind != "if" {
            return match args.first() {
                Some(PpTok { kind: PpKind::Ident(n), .. }) => {
                    self.macros.contains_key(n) == (kind == "ifdef")
                }
                _ => {
                    self.diags.push(Diagnostic::error(
                        name_span,
                        format!("`#{kind}` needs a macro name"),
                    ));
                    false
                }
            };
        }
        let mut expanded = Vec::new();
        let mut hide = Vec::new();
        if let Err(d) = self.expand_pp(args, &mut hide, 0, &mut expanded) {
            self.diags.push(d);
            return false;
        }
        match eval(&expanded, span) {
            Ok(v) => v != 0,
            Err(d) => {
                self.diags.push(d);
                false
            }
        }
    }

    /// Macro-expands an `#if` line, replacing `defined X` by 1 or 0.
    fn expand_pp(
        &self,
        toks: &[PpTok],
        hide: &mut Vec<String>,
        depth: u32,
        out: &mut Vec<PpTok>,
    ) -> Result<(), Diagnostic> {
        if depth >= MAX_EXPANSION_DEPTH || out.len() > MAX_EXPANDED_TOKENS {
            let at = toks.first().map_or(Span::new(FileId(0), 0, 0), |t| t.span);
            return Err(Diagnostic::error(at, "macro expansion too deep or too large"));
        }
        let mut i = 0;
        while i < toks.len() {
            let t = &toks[i];
            i += 1;
            let PpKind::Ident(n) = &t.kind else {
                out.push(t.clone());
                continue;
            };
            if n == "defined" {
                let (name, next) = match (toks.get(i), toks.get(i + 1), toks.get(i + 2)) {
                    (
                        Some(PpTok { kind: PpKind::Punct("("), .. }),
                        Some(PpTok { kind: PpKind::Ident(m), .. }),
                        Some(PpTok { kind: PpKind::Punct(")"), .. }),
                    ) => (m, i + 3),
                    (Some(PpTok { kind: PpKind::Ident(m), .. }), _, _) => (m, i + 1),
                    _ => {
                        return Err(Diagnostic::error(
                            t.span,
                            "`defined` needs a macro name: `defined NAME` or `defined(NAME)`",
                        ));
                    }
                };
                out.push(PpTok {
                    kind: PpKind::Number(i64::from(self.macros.contains_key(name))),
                    span: t.span,
                });
                i = next;
                continue;
            }
            match self.macros.get(n) {
                Some(body) if !hide.contains(n) => {
                    let mut inner = pp_lex(t.span.file, body, 0);
                    for it in &mut inner {
                        it.span = t.span;
                    }
                    hide.push(n.clone());
                    self.expand_pp(&inner, hide, depth + 1, out)?;
                    hide.pop();
                }
                _ => out.push(t.clone()),
            }
        }
        Ok(())
    }

    fn define(&mut self, text: &str, name_span: Span, args: &[PpTok]) {
        let Some(PpTok { kind: PpKind::Ident(name), span }) = args.first() else {
            self.diags.push(Diagnostic::error(name_span, "`#define` needs a macro name"));
            return;
        };
        if text.as_bytes().get(span.end as usize) == Some(&b'(') {
            self.diags.push(Diagnostic::error(
                *span,
                format!(
                    "function-like macro `{name}` is not supported (only `#define NAME [VALUE]`)"
                ),
            ));
            return;
        }
        if name == "defined" {
            self.diags.push(Diagnostic::error(*span, "`defined` cannot be a macro name"));
            return;
        }
        let (_, body) = logical_line(text, span.end as usize);
        self.macros.insert(name.clone(), body.trim().to_string());
    }

    fn include(&mut self, file: FileId, text: &str, span: Span, name_span: Span, args: &[PpTok]) {
        let (target, quoted) = match args.first() {
            Some(PpTok { kind: PpKind::Str(s), .. }) => (s.clone(), true),
            Some(PpTok { kind: PpKind::Punct("<"), span: lt }) => {
                let rest = text.get(lt.end as usize..span.end as usize).unwrap_or("");
                match rest.find('>') {
                    Some(p) => (rest[..p].to_string(), false),
                    None => (String::new(), false),
                }
            }
            _ => (String::new(), true),
        };
        if target.is_empty() {
            self.diags.push(Diagnostic::error(
                name_span,
                "expected `\"FILE\"` or `<FILE>` after `#include`",
            ));
            return;
        }
        let mut candidates = Vec::new();
        let target_path = Path::new(&target);
        if target_path.is_absolute() {
            candidates.push(target_path.to_path_buf());
        } else {
            if quoted {
                let dir = self
                    .map
                    .file(file)
                    .path()
                    .and_then(Path::parent)
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                candidates.push(dir.join(target_path));
            }
            for d in self.include_dirs {
                candidates.push(d.join(target_path));
            }
        }
        let mut found = None;
        for c in &candidates {
            let c = normalize(c);
            match self.loader.load(&c) {
                Ok(t) => {
                    found = Some((c, t));
                    break;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    self.diags.push(Diagnostic::error(
                        span,
                        format!("cannot read `{}`: {e}", c.display()),
                    ));
                    return;
                }
            }
        }
        let Some((path, body)) = found else {
            let searched: Vec<String> =
                candidates.iter().map(|c| normalize(c).display().to_string()).collect();
            self.diags.push(
                Diagnostic::error(span, format!("cannot find include file `{target}`"))
                    .with_note(format!("searched: {}", searched.join(", "))),
            );
            return;
        };
        if self.stack.contains(&path) {
            self.diags.push(Diagnostic::error(
                span,
                format!("`#include` cycle: `{}` is already being included", path.display()),
            ));
            return;
        }
        if self.stack.len() >= MAX_INCLUDE_DEPTH {
            self.diags.push(Diagnostic::error(
                span,
                format!("`#include` nested deeper than {MAX_INCLUDE_DEPTH} files"),
            ));
            return;
        }
        let id = self.map.add(path.display().to_string(), Some(path.clone()), body, Some(span));
        self.stack.push(path);
        self.process_file(id);
        self.stack.pop();
    }
}

/// Comment text without delimiters and leading ` * ` decoration.
fn clean_comment(raw: &str) -> String {
    let body = if raw.starts_with("//") {
        raw.trim_start_matches('/')
    } else {
        raw.strip_prefix("/*").and_then(|b| b.strip_suffix("*/")).unwrap_or(raw)
    };
    let lines: Vec<&str> = body
        .lines()
        .map(|l| {
            let t = l.trim();
            let t = t.strip_prefix('*').unwrap_or(t);
            t.strip_prefix([' ', '\t']).unwrap_or(t).trim_end()
        })
        .collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    match (first, last) {
        (Some(f), Some(l)) => lines[f..=l].join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loader::MemoryLoader;

    fn run(files: &[(&str, &str)], defines: &[(&str, Option<&str>)]) -> (String, Vec<String>) {
        let mut loader = MemoryLoader::new();
        for (p, t) in files {
            loader.insert(p, *t);
        }
        let mut map = SourceMap::new();
        let root = map.add(files[0].0, Some(files[0].0.into()), files[0].1.into(), None);
        let defines: Vec<(String, Option<String>)> =
            defines.iter().map(|(n, v)| (n.to_string(), v.map(str::to_string))).collect();
        let mut diags = Vec::new();
        let pp = preprocess(&mut map, root, &loader, &defines, &[], &mut diags);
        let text = pp.tokens.iter().map(|t| t.text.to_string()).collect::<Vec<_>>().join(" ");
        let diags =
            diags.iter().map(|d| format!("{}: {}", map.location(d.span), d.message)).collect();
        (text.trim_end().to_string(), diags)
    }

    #[test]
    fn conditionals() {
        let src = "#ifdef A\na\n#elif B > 1\nb\n#else\nc\n#endif\n#if !defined(A) && defined B\nd\n#endif\n";
        assert_eq!(run(&[("m.x", src)], &[("A", Some("1"))]).0, "a");
        assert_eq!(run(&[("m.x", src)], &[("B", Some("2"))]).0, "b d");
        assert_eq!(run(&[("m.x", src)], &[("B", Some("1"))]).0, "c d");
        assert_eq!(run(&[("m.x", src)], &[]).0, "c");
        let nested = "#if 0\n#if 1\nx\n#else\ny\n#endif\n@ junk '\n#else\nz\n#endif\n";
        assert_eq!(run(&[("m.x", nested)], &[]), ("z".into(), vec![]));
    }

    #[test]
    fn macros_expand_with_use_site_spans() {
        let src = "#define N 10\n#define M N\n#define SELF SELF x\nint a[M]; SELF;\n#undef N\nN";
        let (text, diags) = run(&[("m.x", src)], &[]);
        assert_eq!(text, "int a [ 10 ] ; SELF x ; N");
        assert!(diags.is_empty());
    }

    #[test]
    fn includes_and_cycles() {
        let files =
            [("dir/m.x", "#include \"sub/a.x\"\nm"), ("dir/sub/a.x", "a\n#include \"../m.x\"\n")];
        let (text, diags) = run(&files, &[]);
        assert_eq!(text, "a m");
        assert_eq!(
            diags,
            ["dir/sub/a.x:2:1: `#include` cycle: `dir/m.x` is already being included"]
        );
        let (_, diags) = run(&[("m.x", "#include \"nope.x\"")], &[]);
        assert_eq!(diags, ["m.x:1:1: cannot find include file `nope.x`"]);
    }

    #[test]
    fn directive_errors() {
        let (_, d) = run(&[("m.x", "#else\n#endif\n#define F(x) x\n#bogus\n#if 1\n")], &[]);
        assert_eq!(
            d,
            [
                "m.x:1:2: `#else` without `#if`",
                "m.x:2:2: `#endif` without `#if`",
                "m.x:3:9: function-like macro `F` is not supported (only `#define NAME [VALUE]`)",
                "m.x:4:2: unknown preprocessor directive `#bogus`",
                "m.x:5:2: unterminated conditional: no `#endif` before the end of the file",
            ]
        );
    }

    #[test]
    fn doc_comments() {
        let mut map = SourceMap::new();
        let src =
            "/* license */\n\n/*\n * The doc.\n */\n// more\nstruct a; /* trailing */\nint b;";
        let root = map.add("m.x", None, src.into(), None);
        let mut diags = Vec::new();
        let pp = preprocess(&mut map, root, &MemoryLoader::new(), &[], &[], &mut diags);
        assert_eq!(pp.tokens[0].doc.as_deref(), Some("The doc.\nmore"));
        assert_eq!(pp.tokens[3].doc, None);
    }

    #[test]
    fn clean_comment_forms() {
        assert_eq!(clean_comment("/* one */"), "one");
        assert_eq!(clean_comment("// two"), "two");
        assert_eq!(clean_comment("/*\n *\ta\n * b\n */"), "a\nb");
    }
}
