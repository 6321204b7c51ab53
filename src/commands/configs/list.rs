//! `agentdb configs list`: a tenant's configs without their values.

use anyhow::Result;
use serde::Serialize;

use crate::cli::ConfigsListArgs;
use crate::commands::Context;
use crate::db::Access;
use crate::error::exit;
use crate::output::{Report, Text as Out};
use crate::store::configs::{self, ConfigEntry};
use crate::store::tenants::{self, MissingHint};

#[derive(Debug, Serialize)]
pub struct ConfigListReport {
    pub database: String,
    pub tenant: String,
    pub total: usize,
    pub encrypted: usize,
    pub configs: Vec<ConfigEntry>,
}

impl Report for ConfigListReport {
    fn render(&self, out: &mut Out) {
        out.table(
            &[
                "key",
                "source file",
                "bytes",
                "hash",
                "encrypted",
                "updated",
            ],
            self.configs.iter().map(|c| {
                vec![
                    c.key.clone(),
                    c.source_file.clone().unwrap_or_default(),
                    c.stored_bytes.to_string(),
                    c.hash_prefix.clone(),
                    if c.encrypted { "yes" } else { "no" }.to_string(),
                    c.updated_at.clone(),
                ]
            }),
        );
        out.line(format!(
            "tenant {}: {} config(s), {} encrypted",
            self.tenant, self.total, self.encrypted
        ));
    }
}

pub fn run(ctx: &Context, args: &ConfigsListArgs) -> Result<u8> {
    let tenant = ctx.tenant(args.tenant.as_deref())?;
    let (db, mut conn) = ctx.open_migrated(Access::ReadOnly)?;
    tenants::require(&mut conn, &tenant, MissingHint::ListTenants)?;
    let configs = configs::list(&mut conn, &tenant)?;
    ctx.output.emit(&ConfigListReport {
        database: db.display.clone(),
        tenant: tenant.into_string(),
        total: configs.len(),
        encrypted: configs.iter().filter(|c| c.encrypted).count(),
        configs,
    })?;
    Ok(exit::OK)
}
