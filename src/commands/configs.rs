//! `agentdb configs list | get | delete` (and the dispatch to `export`, `rotate-keys`).
//! Config values are secrets: `list` never reads them out, `get` prints one on stdout only when
//! stdout is not a terminal (or with `--reveal`), and no message ever contains one.

use std::io::{IsTerminal, Write};

use anyhow::{bail, Context as _, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use serde::Serialize;

use super::{configs_export, rotate_keys, tenant_id, Context};
use crate::cli::{ConfigsArgs, ConfigsCommand, ConfigsDeleteArgs, ConfigsGetArgs, ConfigsListArgs};
use crate::config::is_production;
use crate::db::{self, Access, AnyConnection};
use crate::error::{exit, UsageError};
use crate::fernet::{self, ConfigKeys};
use crate::output::{Report, Text as Out};
use crate::schema::migrations;

pub fn run(ctx: &Context, args: &ConfigsArgs) -> Result<u8> {
    match &args.command {
        ConfigsCommand::List(a) => list(ctx, a),
        ConfigsCommand::Get(a) => get(ctx, a),
        ConfigsCommand::Export(a) => configs_export::run(ctx, a),
        ConfigsCommand::Delete(a) => delete(ctx, a),
        ConfigsCommand::RotateKeys(a) => rotate_keys::run(ctx, a),
    }
}

/// Refuses (exit 1) a tenant that does not exist, saying how to see the ones that do.
pub fn require_tenant(conn: &mut AnyConnection, tenant: &str) -> Result<()> {
    if !db::tenant_exists(conn, tenant)? {
        bail!("tenant {tenant} does not exist (`agentdb tenants list` shows the tenants)");
    }
    Ok(())
}

/// A stored config value as JSON text (for an encrypted value: its envelope).
#[derive(QueryableByName)]
pub struct StoredValue {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Text)]
    pub value: String,
}

/// A tenant's stored values in key order (one key with `only`), read in one statement.
pub fn stored_values(
    conn: &mut AnyConnection,
    tenant: &str,
    only: Option<&str>,
) -> Result<Vec<StoredValue>> {
    let backend = conn.backend();
    let mut sql = format!(
        "SELECT key, {} AS value FROM tenant_configs WHERE tenant_id = {}",
        backend.json_text("value"),
        backend.param(1)
    );
    if only.is_some() {
        sql.push_str(&format!(" AND key = {}", backend.param(2)));
    }
    sql.push_str(" ORDER BY key");
    let mut query = diesel::sql_query(sql)
        .into_boxed::<db::MultiBackend>()
        .bind::<Text, _>(tenant.to_string());
    if let Some(key) = only {
        query = query.bind::<Text, _>(key.to_string());
    }
    query
        .load(conn)
        .with_context(|| format!("cannot read the configs of tenant {tenant}"))
}

/// The JSON document a stored value holds: the value itself, or the decrypted envelope.
/// Errors name the tenant and key, never the value or a key.
pub fn plaintext_of(
    stored: StoredValue,
    keys: Option<&ConfigKeys>,
    tenant: &str,
) -> Result<(String, String)> {
    let StoredValue { key, value } = stored;
    let Some(token) = fernet::envelope_token(&value) else {
        return Ok((key, value));
    };
    let Some(keys) = keys else {
        return Err(UsageError::new(format!(
            "config {key:?} of tenant {tenant} is encrypted: set {} (or --config-keys-file) to the keys it was encrypted with",
            fernet::KEYS_VAR
        ))
        .into());
    };
    let bytes = keys.decrypt(&token).map_err(|_| {
        anyhow::anyhow!(
            "config {key:?} of tenant {tenant} does not decrypt with any of the {} key(s) from {} (wrong keys, or a damaged value)",
            keys.len(),
            keys.source
        )
    })?;
    let text = String::from_utf8(bytes)
        .ok()
        .filter(|t| serde_json::from_str::<serde::de::IgnoredAny>(t).is_ok());
    match text {
        Some(text) => Ok((key, text)),
        None => bail!("config {key:?} of tenant {tenant} decrypts, but not to a JSON document"),
    }
}

// ---------------------------------------------------------------- list

#[derive(Debug, Serialize, QueryableByName)]
pub struct ConfigEntry {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub source_file: Option<String>,
    /// Bytes stored (for an encrypted value: of its envelope).
    #[diesel(sql_type = BigInt)]
    pub stored_bytes: i64,
    /// The first 12 hex digits of the SHA-256 of the plaintext as imported.
    #[diesel(sql_type = Text)]
    pub hash_prefix: String,
    #[diesel(sql_type = Bool)]
    pub encrypted: bool,
    #[diesel(sql_type = Text)]
    pub updated_at: String,
}

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

fn list(ctx: &Context, args: &ConfigsListArgs) -> Result<u8> {
    let tenant = tenant_id(ctx, args.tenant.as_deref())?;
    let db = ctx.open(Access::ReadOnly)?;
    let mut conn = db.connect()?;
    migrations::require_migrated(&mut conn, &db.display)?;
    require_tenant(&mut conn, &tenant)?;
    let b = conn.backend();
    let sql = format!(
        "SELECT key, source_file, {} AS stored_bytes, substr(content_hash, 1, 12) AS hash_prefix, \
         {} AS encrypted, {} AS updated_at FROM tenant_configs WHERE tenant_id = {} ORDER BY key",
        b.stored_bytes("value"),
        b.is_envelope("value"),
        b.timestamp_text("updated_at"),
        b.param(1)
    );
    let configs: Vec<ConfigEntry> = diesel::sql_query(sql)
        .bind::<Text, _>(&tenant)
        .load(&mut conn)
        .with_context(|| format!("cannot list the configs of tenant {tenant}"))?;
    ctx.output.emit(&ConfigListReport {
        database: db.display.clone(),
        tenant,
        total: configs.len(),
        encrypted: configs.iter().filter(|c| c.encrypted).count(),
        configs,
    })?;
    Ok(exit::OK)
}

// ---------------------------------------------------------------- get

fn get(ctx: &Context, args: &ConfigsGetArgs) -> Result<u8> {
    let tenant = tenant_id(ctx, args.tenant.as_deref())?;
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
    let db = ctx.open(Access::ReadOnly)?;
    let mut conn = db.connect()?;
    migrations::require_migrated(&mut conn, &db.display)?;
    require_tenant(&mut conn, &tenant)?;
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

// ---------------------------------------------------------------- delete

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

fn delete(ctx: &Context, args: &ConfigsDeleteArgs) -> Result<u8> {
    let tenant = tenant_id(ctx, args.tenant.as_deref())?;
    if is_production(&ctx.env) && !args.yes {
        return Err(UsageError::new(format!(
            "refusing to delete config {:?} of tenant {tenant}: ENV/APP_ENV is production; pass --yes to confirm",
            args.key
        ))
        .into());
    }
    let db = ctx.open(Access::ReadWrite)?;
    let mut conn = db.connect()?;
    migrations::require_migrated(&mut conn, &db.display)?;
    require_tenant(&mut conn, &tenant)?;
    let b = conn.backend();
    let deleted = diesel::sql_query(format!(
        "DELETE FROM tenant_configs WHERE tenant_id = {} AND key = {}",
        b.param(1),
        b.param(2)
    ))
    .bind::<Text, _>(&tenant)
    .bind::<Text, _>(&args.key)
    .execute(&mut conn)
    .with_context(|| format!("cannot delete config {:?} of tenant {tenant}", args.key))?;
    if deleted == 0 {
        bail!(
            "tenant {tenant} has no config {:?} (`agentdb configs list --tenant {tenant}` shows its keys)",
            args.key
        );
    }
    ctx.output.emit(&DeleteReport {
        database: db.display.clone(),
        tenant,
        key: args.key.clone(),
        deleted: true,
    })?;
    Ok(exit::OK)
}
