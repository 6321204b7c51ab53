//! `agentdb configs get KEY`: one value, decrypted, on stdout (never to a terminal without
//! `--reveal`).

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context as _, Result};

use crate::cli::ConfigsGetArgs;
use crate::commands::Context;
use crate::db::Access;
use crate::error::{exit, UsageError};
use crate::store::configs::{plaintext_of, stored_values};
use crate::store::tenants::{self, MissingHint};

pub fn run(ctx: &Context, args: &ConfigsGetArgs) -> Result<u8> {
    let tenant = ctx.tenant(args.tenant.as_deref())?;
    let to_terminal = std::io::stdout().is_terminal();
    if to_terminal && !args.reveal {
        return Err(UsageError::new(format!(
            "refusing to print config {:?} of tenant {tenant} to a terminal: it is a secret; \
             redirect it (`agentdb configs get {} > file.json`) or pass --reveal",
            args.key, args.key
        ))
        .into());
    }
    let keys = ctx.config_keys()?;
    let (_db, mut conn) = ctx.open_migrated(Access::ReadOnly)?;
    tenants::require(&mut conn, &tenant, MissingHint::ListTenants)?;
    let Some(stored) = stored_values(&mut conn, &tenant, Some(&args.key))?.pop() else {
        bail!(
            "tenant {tenant} has no config {:?} (`agentdb configs list --tenant {tenant}` shows its keys)",
            args.key
        );
    };
    let (_, mut text) = plaintext_of(stored, keys.as_ref(), &tenant)?;
    // The exact document, so that `get K > K.json` re-imports as `unchanged`; a person on a
    // terminal also gets the line ended.
    if to_terminal && !text.ends_with('\n') {
        text.push('\n');
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("cannot write to stdout")?,
    }
    Ok(exit::OK)
}
