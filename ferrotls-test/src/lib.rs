//! Test support for ferrotls.
