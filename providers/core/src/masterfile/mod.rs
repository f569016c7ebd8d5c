//! RFC 1035 master files: the lexer, the reader into the zone model, and the writer.

pub mod lexer;
pub mod reader;
pub mod writer;

pub use reader::{parse_master_text, read_master_file};
pub use writer::write_master_file;
