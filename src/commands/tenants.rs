//! `agentdb tenants list | show ID`: the tenants, without secrets (API keys are stored only as
//! hashes; the prefix recognises a key without revealing it).

use anyhow::{bail, Context as _, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::Serialize;

use super::{validate_tenant_id, Context};
use crate::cli::{TenantShowArgs, TenantsArgs, TenantsCommand};
use crate::db::{Access, AnyConnection, Backend};
use crate::error::exit;
use crate::output::{Report, Text as Out};
use crate::schema::migrations;

pub fn run(ctx: &Context, args: &TenantsArgs) -> Result<u8> {
    match &args.command {
        TenantsCommand::List => list(ctx),
        TenantsCommand::Show(a) => show(ctx, a),
    }
}

#[derive(Debug, Serialize, QueryableByName)]
pub struct TenantEntry {
    #[diesel(sql_type = Text)]
    pub id: String,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub api_key_prefix: Option<String>,
    #[diesel(sql_type = BigInt)]
    pub configs: i64,
    #[diesel(sql_type = Text)]
    pub created_at: String,
}

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

/// The columns of `tenants t` both commands show, with its config count.
fn tenant_columns(b: Backend) -> String {
    format!(
        "t.id, t.name, t.status, t.api_key_prefix, \
         (SELECT count(*) FROM tenant_configs c WHERE c.tenant_id = t.id) AS configs, \
         {} AS created_at",
        b.timestamp_text("t.created_at")
    )
}

fn open_migrated(ctx: &Context) -> Result<(String, crate::db::Conn)> {
    let db = ctx.open(Access::ReadOnly)?;
    let mut conn = db.connect()?;
    migrations::require_migrated(&mut conn, &db.display)?;
    Ok((db.display.clone(), conn))
}

fn list(ctx: &Context) -> Result<u8> {
    let (database, mut conn) = open_migrated(ctx)?;
    let sql = format!(
        "SELECT {} FROM tenants t ORDER BY t.id",
        tenant_columns(conn.backend())
    );
    let tenants: Vec<TenantEntry> = diesel::sql_query(sql)
        .load(&mut *conn)
        .context("cannot list the tenants")?;
    ctx.output.emit(&TenantListReport { database, tenants })?;
    Ok(exit::OK)
}

#[derive(Debug, Serialize, QueryableByName)]
pub struct TenantDetail {
    #[diesel(embed)]
    #[serde(flatten)]
    pub tenant: TenantEntry,
    #[diesel(sql_type = Text)]
    pub updated_at: String,
    #[diesel(sql_type = BigInt)]
    pub encrypted_configs: i64,
    #[diesel(sql_type = BigInt)]
    pub agents: i64,
    #[diesel(sql_type = BigInt)]
    pub threads: i64,
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
    validate_tenant_id(&args.id)?;
    let (database, mut conn) = open_migrated(ctx)?;
    let Some(detail) = tenant_detail(&mut conn, &args.id)? else {
        bail!(
            "tenant {} does not exist (`agentdb tenants list` shows the tenants)",
            args.id
        );
    };
    ctx.output.emit(&TenantShowReport { database, detail })?;
    Ok(exit::OK)
}

fn tenant_detail(conn: &mut AnyConnection, id: &str) -> Result<Option<TenantDetail>> {
    let b = conn.backend();
    let sql = format!(
        "SELECT {}, {} AS updated_at, \
         (SELECT count(*) FROM tenant_configs c WHERE c.tenant_id = t.id AND {}) AS encrypted_configs, \
         (SELECT count(*) FROM agents a WHERE a.tenant_id = t.id) AS agents, \
         (SELECT count(*) FROM threads h WHERE h.tenant_id = t.id) AS threads \
         FROM tenants t WHERE t.id = {}",
        tenant_columns(b),
        b.timestamp_text("t.updated_at"),
        b.is_envelope("c.value"),
        b.param(1)
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(id)
        .get_result(conn)
        .optional()
        .with_context(|| format!("cannot read tenant {id}"))
}
