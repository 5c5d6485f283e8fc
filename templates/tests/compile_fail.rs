//! Compile-fail tests: misuse of the generated filter scopes and sort enums
//! must not compile. Each file in `tests/ui/` is one misuse, and its `.stderr`
//! is the compiler's answer, reviewed by hand: it must name the undocumented
//! operator or field, or the two operations whose types were mixed up.
//!
//! The `.rs` files are copied into the generated crate with a one-line header,
//! so the `.stderr` line numbers are those of the generated copies. To bless
//! after a deliberate change: `cargo xtask codegen`, then
//! `TRYBUILD=overwrite cargo test -p sailpoint-v2025 --test compile_fail`, then
//! copy `generated/sailpoint-v2025/tests/ui/*.stderr` back into `templates/tests/ui/`.

#[test]
fn misused_filters_and_sorters_do_not_compile() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
