use std::process::ExitCode;

use clap::Parser;

use agentdb::cli::Cli;
use agentdb::error::exit_code_for;

fn main() -> ExitCode {
    // Initialise OpenSSL (libpq's TLS) without its at-exit cleanup: that cleanup frees state a
    // connection thread may still be using when the process exits (health's timeout path),
    // which crashed 30 of 1,500 runs. The same call rust-openssl makes.
    openssl_sys::init();
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
