//! The README stays true to the code: its providers table is the one the code generates,
//! and its two first commands are the ones CI runs.

#[test]
fn the_providers_table_is_generated_from_the_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let inside = readme
        .split("<!-- providers:begin -->\n")
        .nth(1)
        .and_then(|rest| rest.split("<!-- providers:end -->").next())
        .expect("README.md has the providers:begin/end markers");
    let generated = nsync::kinds::markdown_table();
    assert_eq!(
        inside, generated,
        "README.md's providers table is stale: run `cargo run --example providers_table` and paste it between the markers"
    );
}

#[test]
fn the_readme_starts_with_the_demo_and_the_test_suite() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let first_block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    assert!(
        first_block.starts_with("cargo run --release -- demo"),
        "{first_block}"
    );
    assert!(first_block.contains("\nbash tests/run.sh"), "{first_block}");
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("cargo run --release --quiet -- demo") && ci.contains("bash tests/run.sh"),
        "CI runs both"
    );
}
