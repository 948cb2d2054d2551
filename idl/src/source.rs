//! Source files, byte spans and the byte-offset to line/column map.

use std::path::{Path, PathBuf};

/// Identifies one file (or synthetic source such as `<command line>`) in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub(crate) u32);

impl FileId {
    /// The index of this file in its [`SourceMap`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A half-open byte range `start..end` in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range lies in.
    pub file: FileId,
    /// First byte of the range.
    pub start: u32,
    /// One past the last byte of the range (equal to `start` for a point).
    pub end: u32,
}

impl Span {
    /// A span from `start` to `end` in `file`.
    pub fn new(file: FileId, start: u32, end: u32) -> Self {
        Span { file, start, end }
    }

    /// The empty span just after this one (where something missing belongs).
    pub fn after(self) -> Self {
        Span::new(self.file, self.end, self.end)
    }

    /// The smallest span covering `self` and `other` when both are in the
    /// same file; `self` otherwise.
    pub fn to(self, other: Span) -> Self {
        if self.file != other.file {
            return self;
        }
        Span::new(self.file, self.start.min(other.start), self.end.max(other.end))
    }
}

/// A 1-based line and column (columns count characters, a tab counts as one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column number in characters.
    pub col: u32,
}

/// One loaded source text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    path: Option<PathBuf>,
    text: String,
    line_starts: Vec<u32>,
    included_from: Option<Span>,
}

impl SourceFile {
    /// The name shown in diagnostics (the path as given or as found through `-I`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file system path, if the source came from a file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The full text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The `#include` directive this file was included from, if any.
    pub fn included_from(&self) -> Option<Span> {
        self.included_from
    }

    /// The 0-based index of the line containing byte `offset`.
    fn line_index(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Line and column of byte `offset` (clamped to the text).
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = offset.min(self.text.len() as u32);
        let line = self.line_index(offset);
        let start = self.line_starts.get(line).copied().unwrap_or(0) as usize;
        let end = floor_char_boundary(&self.text, offset as usize);
        let col = self.text.get(start..end).map_or(0, |s| s.chars().count());
        LineCol { line: line as u32 + 1, col: col as u32 + 1 }
    }

    /// The text of 1-based line `line` without its line terminator.
    pub fn line_text(&self, line: u32) -> &str {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.line_starts.get(i) else {
            return "";
        };
        let end = self.line_starts.get(i + 1).map_or(self.text.len(), |&e| e as usize);
        let s = self.text.get(start as usize..end).unwrap_or("");
        s.trim_end_matches(['\n', '\r'])
    }

    /// Byte offset of the start of 1-based line `line`.
    pub fn line_start(&self, line: u32) -> u32 {
        let i = (line as usize).saturating_sub(1);
        self.line_starts.get(i).copied().unwrap_or(0)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// All the sources one compilation read, indexed by [`FileId`].
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        SourceMap::default()
    }

    /// Adds a source and returns its id. Texts longer than `u32::MAX` bytes
    /// are truncated (spans are 32-bit); the loader rejects them before this.
    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: Option<PathBuf>,
        mut text: String,
        included_from: Option<Span>,
    ) -> FileId {
        if text.len() > u32::MAX as usize {
            let cut = floor_char_boundary(&text, u32::MAX as usize);
            text.truncate(cut);
        }
        let mut line_starts = vec![0u32];
        line_starts.extend(
            text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i as u32 + 1),
        );
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile { name: name.into(), path, text, line_starts, included_from });
        id
    }

    /// The file with id `id`.
    ///
    /// # Panics
    /// If `id` does not come from this map.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.index()]
    }

    /// The file with id `id`, or `None` if it is not from this map.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.index())
    }

    /// All files in the order they were added.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The text a span covers (empty if the span is not from this map).
    pub fn snippet(&self, span: Span) -> &str {
        self.get(span.file)
            .and_then(|f| f.text.get(span.start as usize..span.end as usize))
            .unwrap_or("")
    }

    /// Line and column of the start of `span`.
    pub fn line_col(&self, span: Span) -> LineCol {
        self.get(span.file).map_or(LineCol { line: 1, col: 1 }, |f| f.line_col(span.start))
    }

    /// `NAME:LINE:COL` of the start of `span`.
    pub fn location(&self, span: Span) -> String {
        let lc = self.line_col(span);
        let name = self.get(span.file).map_or("<unknown>", |f| f.name());
        format!("{name}:{}:{}", lc.line, lc.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_and_lines() {
        let mut map = SourceMap::new();
        let f = map.add("a.x", None, "ab\n\tcd\r\né\n".into(), None);
        let file = map.file(f);
        assert_eq!(file.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(file.line_col(4), LineCol { line: 2, col: 2 });
        assert_eq!(file.line_text(2), "\tcd");
        assert_eq!(file.line_col(10), LineCol { line: 3, col: 2 });
        assert_eq!(file.line_col(1000).line, 4);
        assert_eq!(map.location(Span::new(f, 4, 5)), "a.x:2:2");
        assert_eq!(map.snippet(Span::new(f, 4, 6)), "cd");
    }
}
