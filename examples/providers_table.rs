//! Prints the README's two tables made from the code (the kinds' keys, then what each
//! stores): `cargo run --example providers_table`. tests/readme.rs fails when the
//! README's copies differ.

fn main() {
    println!("{}", nsync::providers::keys_table());
    print!("{}", nsync::providers::markdown_table());
}
