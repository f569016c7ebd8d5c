//! RFC 1035 master files: the lexer, the reader into the zone model, and the writer.

pub mod lexer;
