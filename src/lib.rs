//! agentdb: one binary for the database chores of AI-agent platforms, on SQLite and
//! PostgreSQL. The binary (`main.rs`) only parses flags and maps errors to exit codes.

pub mod adk;
pub mod cli;
pub mod commands;
pub mod config;
pub mod copy;
pub mod db;
pub mod error;
pub mod langgraph;
pub mod migrations;
pub mod output;
pub mod retention;
