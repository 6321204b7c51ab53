use std::process::ExitCode;

use clap::Parser;

use agentdb::cli::Cli;
use agentdb::error::exit_code_for;
use agentdb::output::stderr_line;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let args: Vec<String> = std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let hint = agentdb::cli::usage_hint(&e, &args);
            let _ = e.print();
            if let Some(hint) = hint {
                stderr_line(hint);
            }
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2));
        }
    };
    let result = agentdb::commands::run(cli);
    // A signal being handled exits with its own code (files.rs).
    agentdb::files::before_exit();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            let mut causes = err.chain();
            if let Some(top) = causes.next() {
                stderr_line(format_args!("error: {top}"));
            }
            for cause in causes {
                stderr_line(format_args!("  caused by: {cause}"));
            }
            ExitCode::from(exit_code_for(&err))
        }
    }
}
