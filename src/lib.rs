//! evcat: a Git-native event catalog and schema governance tool.
//!
//! The library does the work; `main.rs` only calls [`cli::main`]. See ARCHITECTURE.md for the map.

pub mod catalog;
pub mod check;
pub mod cli;
pub mod compat;
pub mod discover;
pub mod drift;
pub mod export;
pub mod findings;
pub mod formats;
pub mod git;
pub mod history;
pub mod import;
pub mod init;
pub mod lint;
pub mod push;
pub mod registry;
pub mod report;
pub mod review;
pub mod rules;
pub mod site;
pub mod source;
pub mod subject;
pub mod tree;
pub mod yaml;
