//! The `tenant_configs` table: values read out (as JSON text), listed without their values,
//! compared, inserted in batches, updated and deleted. The one place the Fernet envelope
//! (`{"fernet": "<token>"}`, see `fernet.rs`) is spelled in SQL.

use std::collections::HashMap;

use anyhow::{bail, Context as _, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use serde::Serialize;

use super::TenantId;
use crate::db::{AnyConnection, Backend, MultiBackend};
use crate::error::UsageError;
use crate::fernet::{self, ConfigKeys};

/// A boolean: the JSON column is an encrypted envelope, an object with exactly one member,
/// `fernet`, a string. `CASE` keeps the object-only operators away from other documents.
pub fn is_envelope(b: Backend, column: &str) -> String {
    match b {
        Backend::Postgres => format!(
            "(CASE WHEN jsonb_typeof({column}) = 'object' THEN \
             coalesce(jsonb_typeof({column} -> 'fernet') = 'string' \
             AND ({column} - 'fernet') = '{{}}'::jsonb, false) ELSE false END)"
        ),
        Backend::Sqlite => format!(
            "(CASE WHEN json_type({column}) = 'object' THEN \
             coalesce(json_type({column}, '$.fernet') = 'text' \
             AND json_remove({column}, '$.fernet') = '{{}}', 0) ELSE 0 END)"
        ),
    }
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
    tenant: &TenantId,
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
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(tenant.to_string());
    if let Some(key) = only {
        query = query.bind::<Text, _>(key.to_string());
    }
    query
        .load(conn)
        .with_context(|| format!("cannot read the configs of tenant {tenant}"))
}

/// A tenant's encrypted values in key order.
pub fn encrypted_values(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<StoredValue>> {
    let b = conn.backend();
    let sql = format!(
        "SELECT key, {} AS value FROM tenant_configs WHERE tenant_id = {} AND {} ORDER BY key",
        b.json_text("value"),
        b.param(1),
        is_envelope(b, "value")
    );
    diesel::sql_query(sql)
        .into_boxed::<MultiBackend>()
        .bind::<Text, _>(tenant.to_string())
        .load(conn)
        .with_context(|| format!("cannot read the configs of tenant {tenant}"))
}

/// The JSON document a stored value holds: the value itself, or the decrypted envelope.
/// Errors name the tenant and key, never the value or a key.
pub fn plaintext_of(
    stored: StoredValue,
    keys: Option<&ConfigKeys>,
    tenant: &TenantId,
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

/// A tenant's configs without their values, in key order.
pub fn list(conn: &mut AnyConnection, tenant: &TenantId) -> Result<Vec<ConfigEntry>> {
    let b = conn.backend();
    let sql = format!(
        "SELECT key, source_file, {} AS stored_bytes, substr(content_hash, 1, 12) AS hash_prefix, \
         {} AS encrypted, {} AS updated_at FROM tenant_configs WHERE tenant_id = {} ORDER BY key",
        b.stored_bytes("value"),
        is_envelope(b, "value"),
        b.timestamp_text("updated_at"),
        b.param(1)
    );
    diesel::sql_query(sql)
        .bind::<Text, _>(tenant.as_str())
        .load(conn)
        .with_context(|| format!("cannot list the configs of tenant {tenant}"))
}

/// Deletes one config; true when there was one.
pub fn delete(conn: &mut AnyConnection, tenant: &TenantId, key: &str) -> Result<bool> {
    let b = conn.backend();
    let deleted = diesel::sql_query(format!(
        "DELETE FROM tenant_configs WHERE tenant_id = {} AND key = {}",
        b.param(1),
        b.param(2)
    ))
    .bind::<Text, _>(tenant.as_str())
    .bind::<Text, _>(key)
    .execute(conn)
    .with_context(|| format!("cannot delete config {key:?} of tenant {tenant}"))?;
    Ok(deleted > 0)
}

// ---------------------------------------------------------------- import

#[derive(QueryableByName)]
struct HashRow {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    content_hash: String,
}

/// The stored configs' content hashes by key (`None` where a stored hash is not ours). On
/// SQLite the covering index must be named: the planner prefers the table's own key, which
/// reads every (large) JSON value and fills the page cache.
pub fn content_hashes(
    conn: &mut AnyConnection,
    tenant: &TenantId,
) -> Result<HashMap<String, Option<[u8; 32]>>> {
    let b = conn.backend();
    let indexed_by = match b {
        Backend::Postgres => "",
        Backend::Sqlite => " INDEXED BY tenant_configs_hash_idx",
    };
    let sql = format!(
        "SELECT key, content_hash FROM tenant_configs{indexed_by} WHERE tenant_id = {}",
        b.param(1)
    );
    let rows: Vec<HashRow> = diesel::sql_query(sql)
        .bind::<Text, _>(tenant.as_str())
        .load(conn)
        .with_context(|| format!("cannot read the configs of tenant {tenant}"))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut hash = [0u8; 32];
            let parsed = hex::decode_to_slice(&r.content_hash, &mut hash)
                .ok()
                .map(|_| hash);
            (r.key, parsed)
        })
        .collect())
}

/// What is stored under one key, against a document about to be imported.
#[derive(QueryableByName)]
pub struct StoredState {
    /// The same JSON document. PostgreSQL compares `jsonb` values, which keep neither
    /// formatting nor key order; SQLite keeps the text, so there the text must be the same.
    #[diesel(sql_type = Bool)]
    pub same: bool,
    /// Stored encrypted.
    #[diesel(sql_type = Bool)]
    pub encrypted: bool,
}

/// Compares stored values with documents, one key at a time on one statement.
pub struct Comparison {
    sql: String,
}

impl Comparison {
    pub fn new(b: Backend) -> Comparison {
        let same = match b {
            Backend::Postgres => format!("coalesce(value = {}::jsonb, false)", b.param(1)),
            Backend::Sqlite => format!("coalesce(value = {}, 0)", b.param(1)),
        };
        Comparison {
            sql: format!(
                "SELECT {same} AS same, {} AS encrypted FROM tenant_configs WHERE tenant_id = {} AND key = {}",
                is_envelope(b, "value"),
                b.param(2),
                b.param(3)
            ),
        }
    }

    pub fn state(
        &self,
        conn: &mut AnyConnection,
        tenant: &TenantId,
        key: &str,
        document: String,
    ) -> Result<StoredState> {
        diesel::sql_query(&self.sql)
            .bind::<Text, _>(document)
            .bind::<Text, _>(tenant.as_str())
            .bind::<Text, _>(key)
            .get_result(conn)
            .with_context(|| format!("cannot read config {key:?} of tenant {tenant}"))
    }
}

/// A row to insert: key, stored value (plaintext or envelope), source file, content hash.
pub struct NewConfig {
    pub key: String,
    pub value: String,
    pub source_file: String,
    pub content_hash: [u8; 32],
}

/// Inserts are sent in multi-row statements: one round trip per batch instead of per row,
/// which is most of an import's time on PostgreSQL. A batch is bounded in rows and bytes.
pub struct InsertBatch<'a> {
    backend: Backend,
    tenant: &'a TenantId,
    rows: Vec<NewConfig>,
    bytes: usize,
}

impl<'a> InsertBatch<'a> {
    const MAX_ROWS: usize = 500;
    const MAX_BYTES: usize = 4 << 20;

    pub fn new(backend: Backend, tenant: &'a TenantId) -> Self {
        InsertBatch {
            backend,
            tenant,
            rows: Vec::new(),
            bytes: 0,
        }
    }

    pub fn push(&mut self, conn: &mut AnyConnection, row: NewConfig) -> Result<()> {
        self.bytes += row.value.len();
        self.rows.push(row);
        if self.rows.len() >= Self::MAX_ROWS || self.bytes >= Self::MAX_BYTES {
            self.flush(conn)?;
        }
        Ok(())
    }

    pub fn flush(&mut self, conn: &mut AnyConnection) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let p = |n| self.backend.param(n);
        let values: Vec<String> = (0..self.rows.len())
            .map(|i| {
                let n = i * 5;
                format!(
                    "({}, {}, {}, {}, {})",
                    p(n + 1),
                    p(n + 2),
                    self.backend.json_param(n + 3),
                    p(n + 4),
                    p(n + 5)
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO tenant_configs (tenant_id, key, value, source_file, content_hash) VALUES {}",
            values.join(", ")
        );
        let mut query = diesel::sql_query(sql).into_boxed::<MultiBackend>();
        for row in self.rows.drain(..) {
            query = query
                .bind::<Text, _>(self.tenant.to_string())
                .bind::<Text, _>(row.key)
                .bind::<Text, _>(row.value)
                .bind::<Text, _>(row.source_file)
                .bind::<Text, _>(hex::encode(row.content_hash));
        }
        self.bytes = 0;
        query
            .execute(conn)
            .with_context(|| format!("cannot store the configs of tenant {}", self.tenant))?;
        Ok(())
    }
}

/// Replaces one stored value (import), on one prepared text.
pub struct Update {
    sql: String,
}

impl Update {
    pub fn new(b: Backend) -> Update {
        Update {
            sql: format!(
                "UPDATE tenant_configs SET value = {}, source_file = {}, content_hash = {}, updated_at = {} \
                 WHERE tenant_id = {} AND key = {}",
                b.json_param(1),
                b.param(2),
                b.param(3),
                b.now(),
                b.param(4),
                b.param(5)
            ),
        }
    }

    /// Writes `row`; errors carry no context (the caller names the file).
    pub fn write(&self, conn: &mut AnyConnection, tenant: &TenantId, row: NewConfig) -> Result<()> {
        diesel::sql_query(&self.sql)
            .bind::<Text, _>(row.value)
            .bind::<Text, _>(row.source_file)
            .bind::<Text, _>(hex::encode(row.content_hash))
            .bind::<Text, _>(tenant.as_str())
            .bind::<Text, _>(row.key)
            .execute(conn)?;
        Ok(())
    }
}

// ---------------------------------------------------------------- rotate-keys

/// Replaces one stored value with its re-sealed form (rotate-keys). The content hash is of the
/// plaintext stored: `new_hash` replaces it only when given.
pub struct Reseal {
    sql: String,
}

impl Reseal {
    pub fn new(b: Backend) -> Reseal {
        Reseal {
            sql: format!(
                "UPDATE tenant_configs SET value = {}, content_hash = coalesce({}, content_hash) \
                 WHERE tenant_id = {} AND key = {}",
                b.json_param(1),
                b.param(2),
                b.param(3),
                b.param(4)
            ),
        }
    }

    pub fn write(
        &self,
        conn: &mut AnyConnection,
        tenant: &TenantId,
        key: &str,
        value: String,
        new_hash: Option<String>,
    ) -> Result<()> {
        diesel::sql_query(&self.sql)
            .bind::<Text, _>(value)
            .bind::<Nullable<Text>, _>(new_hash)
            .bind::<Text, _>(tenant.as_str())
            .bind::<Text, _>(key)
            .execute(conn)
            .with_context(|| format!("cannot store config {key:?} of tenant {tenant}"))?;
        Ok(())
    }
}
