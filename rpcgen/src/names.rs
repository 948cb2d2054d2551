//! Rust names for `.x` names: case conversion, keyword escaping and
//! deterministic disambiguation.
//!
//! A `.x` name is cut into words at underscores (and any other character
//! that is not a letter or digit), then inside each piece before an
//! uppercase letter that follows a lowercase letter or a digit, before the
//! last uppercase letter of a run followed by a lowercase one (`XMLFile` is
//! `XML`, `File`), and before a letter that follows a digit (`fh3args` is
//! `fh3`, `args`). Then:
//!
//! * CamelCase (types, variants, traits): each word capitalised, the rest
//!   lowercase (`nfs_fh3` -> `NfsFh3`, `GETATTR3args` -> `Getattr3Args`,
//!   `NFS3_OK` -> `Nfs3Ok`);
//! * snake_case (fields, methods, parameters): words lowercase joined by
//!   `_` (`fileId` -> `file_id`);
//! * SCREAMING_SNAKE_CASE (constants): words uppercase joined by `_`.
//!
//! A name that starts with a digit after conversion gets a leading `_`
//! (`X` for CamelCase). Rust keywords become raw identifiers (`r#type`),
//! except those that cannot be raw (`self`, `Self`, `super`, `crate`),
//! which get a trailing `_`.

use std::collections::BTreeSet;

/// Cuts `name` into words (see the module docs).
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for piece in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let chars: Vec<char> = piece.chars().collect();
        let mut current = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if i > 0 && !current.is_empty() {
                let prev = chars[i - 1];
                let next = chars.get(i + 1).copied();
                let boundary = (c.is_ascii_uppercase()
                    && (prev.is_ascii_lowercase() || prev.is_ascii_digit()))
                    || (c.is_ascii_uppercase()
                        && prev.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()))
                    || (c.is_ascii_alphabetic() && prev.is_ascii_digit());
                if boundary {
                    words.push(std::mem::take(&mut current));
                }
            }
            current.push(c);
        }
        if !current.is_empty() {
            words.push(current);
        }
    }
    words
}

/// `nfs_fh3` -> `NfsFh3`.
pub(crate) fn camel(name: &str) -> String {
    let mut out = String::new();
    for w in words(name) {
        let mut chars = w.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.is_empty() {
        out.push('X');
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'X');
    }
    out
}

/// `fileId` -> `file_id`.
pub(crate) fn snake(name: &str) -> String {
    let mut out = words(name).iter().map(|w| w.to_ascii_lowercase()).collect::<Vec<_>>().join("_");
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `maxLen` -> `MAX_LEN`.
pub(crate) fn screaming(name: &str) -> String {
    let mut out = words(name).iter().map(|w| w.to_ascii_uppercase()).collect::<Vec<_>>().join("_");
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// Keywords of every edition (strict and reserved).
const KEYWORDS: &[&str] = &[
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// The identifier text for `name` (already case-converted): `r#type`,
/// `self_`, or `name` itself.
pub(crate) fn escape(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

/// Hands out names unique within one namespace: the first to ask for a
/// name gets it, later ones get `name2`, `name3`... (`name_2` for snake
/// and screaming case), so the result depends only on the order of asking.
#[derive(Debug, Default, Clone)]
pub(crate) struct Namespace {
    taken: BTreeSet<String>,
}

impl Namespace {
    /// Reserves `name` (not escaped) and returns it or its numbered form.
    pub(crate) fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let sep = if name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().any(|c| c.is_ascii_lowercase())
        {
            ""
        } else {
            "_"
        };
        let mut n = 2;
        loop {
            let candidate = format!("{name}{sep}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(camel("nfs_fh3"), "NfsFh3");
        assert_eq!(camel("GETATTR3args"), "Getattr3Args");
        assert_eq!(camel("NFS3_OK"), "Nfs3Ok");
        assert_eq!(camel("XMLFile"), "XmlFile");
        assert_eq!(camel("fattr3"), "Fattr3");
        assert_eq!(camel("3d"), "X3D");
        assert_eq!(snake("fileId"), "file_id");
        assert_eq!(snake("NFSPROC3_GETATTR"), "nfsproc3_getattr");
        assert_eq!(screaming("maxLen"), "MAX_LEN");
        assert_eq!(screaming("NFS3_FHSIZE"), "NFS3_FHSIZE");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(escape("type"), "r#type");
        assert_eq!(escape("self"), "self_");
        assert_eq!(escape("Self"), "Self_");
        assert_eq!(escape("value"), "value");
    }

    #[test]
    fn namespace_numbers_repeats() {
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("FooBar".into()), "FooBar");
        assert_eq!(ns.claim("FooBar".into()), "FooBar2");
        assert_eq!(ns.claim("foo".into()), "foo");
        assert_eq!(ns.claim("foo".into()), "foo_2");
    }
}
