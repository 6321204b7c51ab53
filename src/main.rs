use std::process::ExitCode;

use clap::Parser;

use agentdb::cli::Cli;
use agentdb::error::exit_code_for;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match agentdb::commands::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let mut causes = err.chain();
            if let Some(top) = causes.next() {
                eprintln!("error: {top}");
            }
            for cause in causes {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(exit_code_for(&err))
        }
    }
}
