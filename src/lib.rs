//! agentdb: one binary for the database chores of AI-agent platforms, on SQLite and
//! PostgreSQL. The binary (`main.rs`) only parses flags and maps errors to exit codes.

pub mod adk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod copy;
pub mod db;
pub mod erasure;
pub mod error;
pub mod fernet;
pub mod files;
pub mod langgraph;
pub mod legacy;
pub mod msgpack;
pub mod output;
pub mod retention;
pub mod schema;
pub mod server;
pub mod store;
