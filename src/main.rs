//! nsync: keep one DNS zone identical on several providers, and prove it.

mod config;
mod kinds;
mod tomlspan;
mod zonefile;

fn main() {
    let _ = config::read_config(std::path::Path::new("nsync.toml"));
}
