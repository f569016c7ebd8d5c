//! The real-server lab, as the provider crates' fixtures see it too (nsync-testkit).

#[allow(unused_imports)] // each test binary uses a different part of the helper
pub use nsync_testkit::lab::Lab;
