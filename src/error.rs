//! Exit codes (README, "Exit codes") and the error kinds that map to them.

use std::fmt;

/// Exit codes are part of the contract: scripts depend on them.
pub mod exit {
    /// Done.
    pub const OK: u8 = 0;
    /// Failed: database error, invalid input files, lock timeout, unhealthy.
    pub const FAILED: u8 = 1;
    /// Usage or configuration error: bad flags, unaccepted URL, invalid tenant id.
    pub const USAGE: u8 = 2;
    /// Ran, but the state is not what the check demands.
    pub const CHECK: u8 = 3;
}

/// A usage or configuration error: exit code 2. Wrapped in `anyhow::Error`, `main` finds it by
/// downcasting, so context added on the way up is kept.
#[derive(Debug)]
pub struct UsageError(String);

impl UsageError {
    pub fn new(message: impl Into<String>) -> Self {
        UsageError(message.into())
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// An error that is just its message: where a trait wants an error type of its own (r2d2's
/// connection manager, a `COPY … FROM STDIN` feeder) and the cause is already text.
#[derive(Debug)]
pub struct Message(pub String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Message {}

impl From<diesel::result::Error> for Message {
    fn from(e: diesel::result::Error) -> Self {
        Message(e.to_string())
    }
}

/// The exit code for an error that reached `main`.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    if err.chain().any(|e| e.is::<UsageError>()) {
        exit::USAGE
    } else {
        exit::FAILED
    }
}
