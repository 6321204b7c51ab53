//! `agentdb completions SHELL`: the completion script, generated from the CLI definition.

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::exit;

/// The completion script for `shell`, exactly as checked in under `completions/`.
pub fn script(shell: clap_complete::Shell) -> Vec<u8> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "agentdb", &mut buf);
    buf
}

pub fn run(args: &CompletionsArgs) -> Result<u8> {
    crate::output::emit_bytes(&script(args.shell))?;
    Ok(exit::OK)
}
