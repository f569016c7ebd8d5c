//! Prints the README's providers table from the code: `cargo run --example providers_table`.
//! tests/readme.rs fails when the README's copy differs.

fn main() {
    print!("{}", nsync::providers::markdown_table());
}
