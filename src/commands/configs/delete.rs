//! `agentdb configs delete KEY`: removes one config of a tenant.

use anyhow::{bail, Result};
use serde::Serialize;

use crate::cli::ConfigsDeleteArgs;
use crate::commands::guard::{self, Ask, Words};
use crate::commands::Context;
use crate::db::Access;
use crate::error::exit;
use crate::output::{Report, Text as Out};
use crate::store::configs;
use crate::store::tenants::{self, MissingHint};

#[derive(Debug, Serialize)]
pub struct DeleteReport {
    pub database: String,
    pub tenant: String,
    pub key: String,
    pub deleted: bool,
}

impl Report for DeleteReport {
    fn render(&self, out: &mut Out) {
        out.line(format!(
            "Deleted config {:?} of tenant {}.",
            self.key, self.tenant
        ));
    }
}

pub fn run(ctx: &Context, args: &ConfigsDeleteArgs) -> Result<u8> {
    let tenant = ctx.tenant(args.tenant.as_deref())?;
    guard::confirm(ctx, args.yes, Ask::ProductionOnly, || {
        Ok(Some(Words {
            production: format!(
                "refusing to delete config {:?} of tenant {tenant}: ENV/APP_ENV is production; pass --yes to confirm",
                args.key
            ),
            ..Words::default()
        }))
    })?;
    let (db, mut conn) = ctx.open_migrated(Access::ReadWrite)?;
    tenants::require(&mut conn, &tenant, MissingHint::ListTenants)?;
    let deleted = configs::delete(&mut conn, &tenant, &args.key)?;
    if !deleted {
        bail!(
            "tenant {tenant} has no config {:?} (`agentdb configs list --tenant {tenant}` shows its keys)",
            args.key
        );
    }
    ctx.output.emit(&DeleteReport {
        database: db.display.clone(),
        tenant: tenant.into_string(),
        key: args.key.clone(),
        deleted: true,
    })?;
    Ok(exit::OK)
}
