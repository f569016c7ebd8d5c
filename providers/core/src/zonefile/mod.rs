//! Zone files: RFC 1035 master files (the lexer, the reader, the writer) and where their
//! input may come from. One home for reading and writing zones in presentation format.

pub mod lexer;
pub mod master;
pub mod source;
pub mod write;

pub use master::{parse_master_text, parse_master_text_with, read_master_file};
pub use source::{DEFAULT_MAX_FILE_BYTES, ReadPolicy};
pub use write::write_master_file;
