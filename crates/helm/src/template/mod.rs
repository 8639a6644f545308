//! A Go text/template engine: lexer, parser and executor.

pub mod ast;
pub mod error;
pub mod exec;
pub mod lex;
pub mod parse;

pub use error::TplError;
pub use exec::{Exec, Templates};
