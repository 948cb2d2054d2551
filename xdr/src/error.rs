//! The one error type of the XDR layer.
//!
//! Decode errors are caused by the peer (they map to `GARBAGE_ARGS` or
//! `CANTDECODERES` higher up) and carry the byte offset where decoding failed;
//! generated code adds the field path with [`Error::in_field`]. Encode errors
//! are the caller's own mistakes (a value that breaks its type's bound).

/// Result alias for the XDR layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong while encoding or decoding XDR.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended before the value did.
    #[error("input ends at byte {offset}: {needed} more bytes needed, {remaining} left")]
    Truncated {
        /// Offset where the missing bytes would start.
        offset: usize,
        /// Bytes the value still needed.
        needed: usize,
        /// Bytes that were left.
        remaining: usize,
    },
    /// A length or count prefix is larger than the type's declared maximum.
    #[error("length {len} at byte {offset} exceeds the maximum of {max}")]
    LengthOverBound {
        /// Offset of the length word.
        offset: usize,
        /// The length the input claims.
        len: u32,
        /// The type's bound.
        max: u32,
    },
    /// A length or count claims more data than the input still holds.
    #[error(
        "length {len} at byte {offset} needs at least {needed} bytes but only {remaining} remain"
    )]
    LengthOverInput {
        /// Offset of the length word.
        offset: usize,
        /// The length the input claims.
        len: u32,
        /// Fewest bytes that length needs.
        needed: u64,
        /// Bytes left after the length word.
        remaining: usize,
    },
    /// A boolean that is neither 0 nor 1.
    #[error("invalid bool {value} at byte {offset} (expected 0 or 1)")]
    InvalidBool {
        /// Offset of the word.
        offset: usize,
        /// The value read.
        value: u32,
    },
    /// An enum value that names no member of the enum.
    #[error("invalid value {value} at byte {offset} for enum {type_name}")]
    InvalidEnum {
        /// Offset of the word.
        offset: usize,
        /// The enum's name.
        type_name: &'static str,
        /// The value read.
        value: i32,
    },
    /// A union discriminant that selects no arm and the union has no default.
    #[error("invalid discriminant {value} at byte {offset} for union {type_name}")]
    InvalidDiscriminant {
        /// Offset of the discriminant.
        offset: usize,
        /// The union's name.
        type_name: &'static str,
        /// The discriminant read.
        value: i64,
    },
    /// Padding after opaque or string data that is not zero (RFC 4506 section 3).
    #[error("non-zero padding byte at byte {offset}")]
    NonZeroPadding {
        /// Offset of the first bad padding byte.
        offset: usize,
    },
    /// A string that must be UTF-8 is not.
    #[error("string at byte {offset} is not valid UTF-8 (valid up to {valid_up_to} bytes)")]
    InvalidUtf8 {
        /// Offset of the string data.
        offset: usize,
        /// Length of the valid prefix.
        valid_up_to: usize,
    },
    /// Optional-data or variable-length arrays nested deeper than the
    /// decoder's depth budget.
    #[error("optional-data or arrays nested deeper than {limit} at byte {offset}")]
    DepthExceeded {
        /// Offset where the limit was hit.
        offset: usize,
        /// The depth budget.
        limit: u32,
    },
    /// Bytes left over after a complete value.
    #[error("{count} unexpected bytes after the value at byte {offset}")]
    TrailingBytes {
        /// Offset of the first extra byte.
        offset: usize,
        /// How many bytes were left over.
        count: usize,
    },
    /// Caller's mistake: a value longer than its type's bound, given to
    /// encode or to a bounded type's constructor.
    #[error("length {len} exceeds the type's maximum of {max}")]
    ValueOverBound {
        /// The value's length.
        len: usize,
        /// The type's bound.
        max: u32,
    },
    /// Caller's mistake: a union value whose discriminant does not select
    /// the arm it holds (a default arm given a named arm's value, or an arm
    /// with several case labels given a value that is none of them).
    #[error("cannot encode union {type_name}: discriminant {value} does not select the arm given")]
    WrongArm {
        /// The union's name.
        type_name: &'static str,
        /// The discriminant given.
        value: i64,
    },
    /// An error inside a field or element; `path` reads like `a.b[3].c`.
    #[error("in `{path}`: {source}")]
    InField {
        /// Field path from the outermost value down.
        path: String,
        /// The error itself.
        source: Box<Error>,
    },
}

impl Error {
    /// Puts this error inside the named field (`name`) or element (`[3]`),
    /// prepending to the path already recorded. Called on the error path
    /// only, so it costs nothing when decoding succeeds.
    #[cold]
    pub fn in_field(self, segment: &str) -> Error {
        match self {
            Error::InField { path, source } => {
                let sep = if path.starts_with('[') { "" } else { "." };
                Error::InField { path: format!("{segment}{sep}{path}"), source }
            }
            other => Error::InField { path: segment.to_owned(), source: Box::new(other) },
        }
    }

    /// Puts this error inside element `index` of an array or list.
    #[cold]
    pub fn in_element(self, index: usize) -> Error {
        self.in_field(&format!("[{index}]"))
    }

    /// The field path, if the error was raised inside a field.
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::InField { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The error without its field path.
    pub fn root(&self) -> &Error {
        match self {
            Error::InField { source, .. } => source.root(),
            other => other,
        }
    }

    /// True when the bytes were at fault (the peer's error), false when the
    /// value given to encode was (the caller's error).
    pub fn is_decode_error(&self) -> bool {
        !matches!(self.root(), Error::ValueOverBound { .. } | Error::WrongArm { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_is_built_outermost_first() {
        let e = Error::InvalidBool { offset: 12, value: 7 }
            .in_field("flag")
            .in_element(3)
            .in_field("entries")
            .in_field("reply");
        assert_eq!(e.path(), Some("reply.entries[3].flag"));
        assert_eq!(e.root(), &Error::InvalidBool { offset: 12, value: 7 });
        assert_eq!(
            e.to_string(),
            "in `reply.entries[3].flag`: invalid bool 7 at byte 12 (expected 0 or 1)"
        );
    }

    #[test]
    fn encode_errors_are_the_callers() {
        let e = Error::ValueOverBound { len: 9, max: 8 }.in_field("name");
        assert!(!e.is_decode_error());
        assert!(Error::NonZeroPadding { offset: 3 }.is_decode_error());
    }
}
