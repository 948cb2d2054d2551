//! Cross-crate interop tests live in `tests/`; this library is empty.
