//! XDR's four-byte alignment (RFC 4506 section 3).

/// Every XDR item occupies a multiple of this many bytes.
pub(crate) const UNIT: usize = 4;

/// Padding bytes that follow `len` bytes of opaque or string data.
#[inline]
pub const fn padding(len: usize) -> usize {
    (UNIT - len % UNIT) % UNIT
}

/// `len` rounded up to a multiple of four, or `None` on overflow.
#[inline]
pub const fn padded(len: usize) -> Option<usize> {
    len.checked_add(padding(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_rounds_up_to_four() {
        assert_eq!([0, 1, 2, 3, 4, 5].map(padding), [0, 3, 2, 1, 0, 3]);
        assert_eq!(padded(5), Some(8));
        assert_eq!(padded(usize::MAX), None);
    }
}
