//! `agentdb tenants list | show ID`: the tenants, without secrets (API keys are stored only as
//! hashes; the prefix recognises a key without revealing it).

use anyhow::{bail, Result};
use serde::Serialize;

use super::Context;
use crate::cli::{TenantShowArgs, TenantsArgs, TenantsCommand};
use crate::db::Access;
use crate::error::exit;
use crate::output::{Report, Text as Out};
use crate::store::{tenants, TenantId};

pub fn run(ctx: &Context, args: &TenantsArgs) -> Result<u8> {
    match &args.command {
        TenantsCommand::List => list(ctx),
        TenantsCommand::Show(a) => show(ctx, a),
    }
}

pub use crate::store::tenants::{TenantDetail, TenantEntry};

#[derive(Debug, Serialize)]
pub struct TenantListReport {
    pub database: String,
    pub tenants: Vec<TenantEntry>,
}

impl Report for TenantListReport {
    fn render(&self, out: &mut Out) {
        out.table(
            &["id", "name", "status", "api key", "configs", "created"],
            self.tenants.iter().map(|t| {
                vec![
                    t.id.clone(),
                    t.name.clone(),
                    t.status.clone(),
                    key_shown(t.api_key_prefix.as_deref()),
                    t.configs.to_string(),
                    t.created_at.clone(),
                ]
            }),
        );
        out.line(format!("{} tenant(s)", self.tenants.len()));
    }
}

fn key_shown(prefix: Option<&str>) -> String {
    prefix.map_or_else(|| "none".to_string(), |p| format!("{p}…"))
}

fn list(ctx: &Context) -> Result<u8> {
    let (db, mut conn) = ctx.open_migrated(Access::ReadOnly)?;
    let tenants = tenants::list(&mut conn)?;
    ctx.output.emit(&TenantListReport {
        database: db.display.clone(),
        tenants,
    })?;
    Ok(exit::OK)
}

#[derive(Debug, Serialize)]
pub struct TenantShowReport {
    pub database: String,
    #[serde(flatten)]
    pub detail: TenantDetail,
}

impl Report for TenantShowReport {
    fn render(&self, out: &mut Out) {
        let d = &self.detail;
        let t = &d.tenant;
        out.table(
            &["field", "value"],
            [
                ["id", t.id.as_str()],
                ["name", t.name.as_str()],
                ["status", t.status.as_str()],
                ["api key", &key_shown(t.api_key_prefix.as_deref())],
                [
                    "configs",
                    &format!("{} ({} encrypted)", t.configs, d.encrypted_configs),
                ],
                ["agents", &d.agents.to_string()],
                ["threads", &d.threads.to_string()],
                ["created", t.created_at.as_str()],
                ["updated", d.updated_at.as_str()],
            ]
            .map(|row| row.map(str::to_string)),
        );
    }
}

fn show(ctx: &Context, args: &TenantShowArgs) -> Result<u8> {
    let id = TenantId::parse(&args.id)?;
    let (db, mut conn) = ctx.open_migrated(Access::ReadOnly)?;
    let Some(detail) = tenants::detail(&mut conn, &id)? else {
        bail!("tenant {id} does not exist (`agentdb tenants list` shows the tenants)");
    };
    ctx.output.emit(&TenantShowReport {
        database: db.display.clone(),
        detail,
    })?;
    Ok(exit::OK)
}
