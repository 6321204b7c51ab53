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
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script(args.shell))?;
    stdout.flush()?;
    Ok(exit::OK)
}
