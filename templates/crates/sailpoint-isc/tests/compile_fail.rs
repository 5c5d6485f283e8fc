//! Compile-fail tests: misuse of the generated filter scopes and sort enums
//! must not compile. Each file in `tests/ui/` is one misuse, and its `.stderr`
//! is the compiler's answer, reviewed by hand: it must name the undocumented
//! operator or field, or the two operations whose types were mixed up (v1 and
//! v2 of the same list among them: they document the same fields, but a filter
//! or sort field of one is not one of the other).
//!
//! The `.rs` files are copied into the generated crate with a one-line header,
//! so the `.stderr` line numbers are those of the generated copies. To bless
//! after a deliberate change: `cargo xtask codegen`, then
//! `TRYBUILD=overwrite cargo test -p sailpoint-isc --test compile_fail`, then
//! copy `generated/sailpoint-isc/tests/ui/*.stderr` back into
//! `templates/crates/sailpoint-isc/tests/ui/`.

#[test]
fn misused_filters_and_sorters_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
