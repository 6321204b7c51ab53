//! The `tenants` table (and the default thread `init-tenant` creates): whether a tenant
//! exists, its lock, its API key, and the listings `tenants list | show` print.

use anyhow::{bail, Context as _, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use serde::Serialize;

use super::TenantId;
use crate::db::{AnyConnection, Backend, CountRow, TextRow};

/// What a refusal of a missing tenant tells the operator to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingHint {
    /// `tenant X does not exist`.
    Plain,
    /// `… (`agentdb tenants list` shows the tenants)`: for commands that read a tenant.
    ListTenants,
    /// `…: create it first with `agentdb init-tenant --tenant-id X``: for imports.
    InitTenant,
}

impl MissingHint {
    fn message(self, tenant: &TenantId) -> String {
        match self {
            MissingHint::Plain => format!("tenant {tenant} does not exist"),
            MissingHint::ListTenants => format!(
                "tenant {tenant} does not exist (`agentdb tenants list` shows the tenants)"
            ),
            MissingHint::InitTenant => format!(
                "tenant {tenant} does not exist: create it first with `agentdb init-tenant --tenant-id {tenant}`"
            ),
        }
    }
}

/// Whether the tenant exists (no lock). The one spelling of "does this tenant exist".
pub fn exists(conn: &mut AnyConnection, tenant: &TenantId) -> Result<bool> {
    let b = conn.backend();
    let row: CountRow = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM tenants WHERE id = {}",
        b.param(1)
    ))
    .bind::<Text, _>(tenant.as_str())
    .get_result(conn)
    .with_context(|| format!("cannot look up tenant {tenant}"))?;
    Ok(row.n == 1)
}

/// Locks a tenant's row for the rest of the transaction and says whether it exists. On
/// PostgreSQL the row lock serializes writers of one tenant; on SQLite this first write takes
/// the database's write lock (waiting up to busy_timeout) before anything is read, so the
/// transaction never has to upgrade a read lock, which SQLite cannot wait for.
pub fn lock(conn: &mut AnyConnection, tenant: &TenantId) -> Result<bool> {
    let b = conn.backend();
    let rows = diesel::sql_query(format!(
        "UPDATE tenants SET status = status WHERE id = {}",
        b.param(1)
    ))
    .bind::<Text, _>(tenant.as_str())
    .execute(conn)
    .with_context(|| format!("cannot lock tenant {tenant}"))?;
    Ok(rows == 1)
}

/// Refuses (exit 1) a tenant that does not exist, saying what to do as `hint` says.
pub fn require(conn: &mut AnyConnection, tenant: &TenantId, hint: MissingHint) -> Result<()> {
    if !exists(conn, tenant)? {
        bail!(hint.message(tenant));
    }
    Ok(())
}

/// `require`, inside a write transaction: also locks the tenant (see `lock`), so concurrent
/// writers of one tenant run one after another.
pub fn require_locked(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    hint: MissingHint,
) -> Result<()> {
    if !lock(conn, tenant)? {
        bail!(hint.message(tenant));
    }
    Ok(())
}

/// Every tenant id, in order.
pub fn all_ids(conn: &mut AnyConnection) -> Result<Vec<TenantId>> {
    let rows: Vec<TextRow> = diesel::sql_query("SELECT id AS value FROM tenants ORDER BY id")
        .load(conn)
        .context("cannot list the tenants")?;
    Ok(rows
        .into_iter()
        .map(|r| TenantId::stored(r.value))
        .collect())
}

// ---------------------------------------------------------------- listings

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

/// The columns of `tenants t` both listings show, with its config count.
fn tenant_columns(b: Backend) -> String {
    format!(
        "t.id, t.name, t.status, t.api_key_prefix, \
         (SELECT count(*) FROM tenant_configs c WHERE c.tenant_id = t.id) AS configs, \
         {} AS created_at",
        b.timestamp_text("t.created_at")
    )
}

/// Every tenant, by id.
pub fn list(conn: &mut AnyConnection) -> Result<Vec<TenantEntry>> {
    let sql = format!(
        "SELECT {} FROM tenants t ORDER BY t.id",
        tenant_columns(conn.backend())
    );
    diesel::sql_query(sql)
        .load(conn)
        .context("cannot list the tenants")
}

/// One tenant with the counts of its configs, agents and threads; `None` when it is missing.
pub fn detail(conn: &mut AnyConnection, id: &TenantId) -> Result<Option<TenantDetail>> {
    let b = conn.backend();
    let sql = format!(
        "SELECT {}, {} AS updated_at, \
         (SELECT count(*) FROM tenant_configs c WHERE c.tenant_id = t.id AND {}) AS encrypted_configs, \
         (SELECT count(*) FROM agents a WHERE a.tenant_id = t.id) AS agents, \
         (SELECT count(*) FROM threads h WHERE h.tenant_id = t.id) AS threads \
         FROM tenants t WHERE t.id = {}",
        tenant_columns(b),
        b.timestamp_text("t.updated_at"),
        super::configs::is_envelope(b, "c.value"),
        b.param(1)
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(id.as_str())
        .get_result(conn)
        .optional()
        .with_context(|| format!("cannot read tenant {id}"))
}

// ---------------------------------------------------------------- init-tenant

/// An API key as stored: its SHA-256 (hex) and a recognisable prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashedKey {
    pub hash: String,
    pub prefix: String,
}

/// A tenant's name and key hash, as `init-tenant` reconciles them.
#[derive(QueryableByName)]
pub struct NameAndKey {
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub api_key_hash: Option<String>,
}

/// Inserts the tenant unless one with that id or key hash exists; true when inserted. No
/// conflict target: a concurrent insert of the same key hash (the other unique index) must wait
/// and do nothing too, not fail. As a transaction's first statement it is a write: it takes
/// SQLite's write lock up front, and on PostgreSQL a concurrent insert of the same id waits for
/// the other to commit.
pub fn insert_if_absent(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    name: &str,
    key: Option<&HashedKey>,
) -> Result<bool> {
    let p = |n| conn.backend().param(n);
    let sql = format!(
        "INSERT INTO tenants (id, name, api_key_hash, api_key_prefix) VALUES ({}, {}, {}, {}) \
         ON CONFLICT DO NOTHING",
        p(1),
        p(2),
        p(3),
        p(4)
    );
    let inserted = diesel::sql_query(sql)
        .bind::<Text, _>(tenant.as_str())
        .bind::<Text, _>(name)
        .bind::<Nullable<Text>, _>(key.map(|k| k.hash.as_str()))
        .bind::<Nullable<Text>, _>(key.map(|k| k.prefix.as_str()))
        .execute(conn)
        .with_context(|| format!("cannot create tenant {tenant}"))?;
    Ok(inserted == 1)
}

/// The tenant's name and key hash.
pub fn name_and_key(conn: &mut AnyConnection, tenant: &TenantId) -> Result<NameAndKey> {
    let b = conn.backend();
    diesel::sql_query(format!(
        "SELECT name, api_key_hash FROM tenants WHERE id = {}",
        b.param(1)
    ))
    .bind::<Text, _>(tenant.as_str())
    .get_result(conn)
    .with_context(|| format!("cannot read tenant {tenant}"))
}

/// Renames the tenant.
pub fn rename(conn: &mut AnyConnection, tenant: &TenantId, name: &str) -> Result<()> {
    let b = conn.backend();
    diesel::sql_query(format!(
        "UPDATE tenants SET name = {}, updated_at = {} WHERE id = {}",
        b.param(1),
        b.now(),
        b.param(2)
    ))
    .bind::<Text, _>(name)
    .bind::<Text, _>(tenant.as_str())
    .execute(conn)
    .with_context(|| format!("cannot rename tenant {tenant}"))?;
    Ok(())
}

/// Whether another tenant than `tenant` holds this API key hash.
pub fn api_key_hash_taken(conn: &mut AnyConnection, hash: &str, tenant: &TenantId) -> Result<bool> {
    let b = conn.backend();
    let row: CountRow = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM tenants WHERE api_key_hash = {} AND id <> {}",
        b.param(1),
        b.param(2)
    ))
    .bind::<Text, _>(hash)
    .bind::<Text, _>(tenant.as_str())
    .get_result(conn)
    .context("cannot check API key uniqueness")?;
    Ok(row.n > 0)
}

/// Stores the tenant's API key (hash and prefix).
pub fn set_api_key(conn: &mut AnyConnection, tenant: &TenantId, key: &HashedKey) -> Result<()> {
    let b = conn.backend();
    diesel::sql_query(format!(
        "UPDATE tenants SET api_key_hash = {}, api_key_prefix = {}, updated_at = {} WHERE id = {}",
        b.param(1),
        b.param(2),
        b.now(),
        b.param(3)
    ))
    .bind::<Text, _>(&key.hash)
    .bind::<Text, _>(&key.prefix)
    .bind::<Text, _>(tenant.as_str())
    .execute(conn)
    .with_context(|| format!("cannot store the API key of tenant {tenant}"))?;
    Ok(())
}

/// The prefix of the tenant's stored API key, if it has one.
pub fn api_key_prefix(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Option<String>> {
    #[derive(QueryableByName)]
    struct PrefixRow {
        #[diesel(sql_type = Nullable<Text>)]
        value: Option<String>,
    }
    let b = conn.backend();
    let row: PrefixRow = diesel::sql_query(format!(
        "SELECT api_key_prefix AS value FROM tenants WHERE id = {}",
        b.param(1)
    ))
    .bind::<Text, _>(tenant.as_str())
    .get_result(conn)?;
    Ok(row.value)
}

/// Creates the tenant's thread `thread_id` (titled `Default thread`) unless it exists; true
/// when created.
pub fn ensure_default_thread(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    thread_id: &str,
) -> Result<bool> {
    let b = conn.backend();
    let inserted = diesel::sql_query(format!(
        "INSERT INTO threads (tenant_id, id, title) VALUES ({}, {}, 'Default thread') \
         ON CONFLICT (tenant_id, id) DO NOTHING",
        b.param(1),
        b.param(2)
    ))
    .bind::<Text, _>(tenant.as_str())
    .bind::<Text, _>(thread_id)
    .execute(conn)
    .with_context(|| format!("cannot create thread {thread_id} of tenant {tenant}"))?;
    Ok(inserted == 1)
}
