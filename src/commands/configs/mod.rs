//! `agentdb configs list | get | export | delete | rotate-keys`: one file per subcommand.
//! Config values are secrets: `list` never reads them out, `get` prints one on stdout only when
//! stdout is not a terminal (or with `--reveal`), and no message ever contains one. What the
//! subcommands share lives in the store (`store::configs`), so they depend on it, not on each
//! other or on this dispatch.

use anyhow::Result;

use super::Context;
use crate::cli::{ConfigsArgs, ConfigsCommand};

pub mod delete;
pub mod export;
pub mod get;
pub mod list;
pub mod rotate_keys;

pub use crate::store::configs::{plaintext_of, stored_values, ConfigEntry, StoredValue};
pub use delete::DeleteReport;
pub use list::ConfigListReport;

pub fn run(ctx: &Context, args: &ConfigsArgs) -> Result<u8> {
    match &args.command {
        ConfigsCommand::List(a) => list::run(ctx, a),
        ConfigsCommand::Get(a) => get::run(ctx, a),
        ConfigsCommand::Export(a) => export::run(ctx, a),
        ConfigsCommand::Delete(a) => delete::run(ctx, a),
        ConfigsCommand::RotateKeys(a) => rotate_keys::run(ctx, a),
    }
}
