//! `agentdb configs rotate-keys`: re-encrypts every encrypted config value with the first key
//! (keeping each token's timestamp, like `MultiFernet.rotate`) and, with
//! `--encrypt-plaintext`, encrypts the values stored unencrypted. One transaction per tenant,
//! which locks the tenant's row as `import-configs` does. Values already under the first key
//! are left alone, so an interrupted run resumes where it stopped.

use anyhow::{anyhow, Context as _, Result};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::configs::{stored_values, StoredValue};
use super::Context;
use crate::cli::RotateKeysArgs;
use crate::db::{self, Access, AnyConnection};
use crate::error::{exit, UsageError};
use crate::fernet::{self, ConfigKeys, Rotation};
use crate::output::{Report, Text as Out};
use crate::schema::migrations;

#[derive(Debug, Default, Serialize, Clone, Copy)]
pub struct RotationCounts {
    /// Re-encrypted with the first key.
    pub rotated: usize,
    /// Already encrypted with the first key: left as they were.
    pub current: usize,
    /// Stored unencrypted, encrypted now (`--encrypt-plaintext`).
    pub encrypted: usize,
    /// Stored unencrypted and left so (no `--encrypt-plaintext`).
    pub plaintext: usize,
}

impl RotationCounts {
    fn add(&mut self, other: RotationCounts) {
        self.rotated += other.rotated;
        self.current += other.current;
        self.encrypted += other.encrypted;
        self.plaintext += other.plaintext;
    }
}

#[derive(Debug, Serialize)]
pub struct TenantRotation {
    pub tenant: String,
    #[serde(flatten)]
    pub counts: RotationCounts,
}

#[derive(Debug, Serialize)]
pub struct RotateReport {
    pub database: String,
    pub dry_run: bool,
    pub keys: usize,
    pub summary: RotationCounts,
    pub tenants: Vec<TenantRotation>,
}

impl Report for RotateReport {
    fn render(&self, out: &mut Out) {
        out.table(
            &["tenant", "rotated", "current", "encrypted", "plaintext"],
            self.tenants.iter().map(|t| {
                let c = t.counts;
                vec![
                    t.tenant.clone(),
                    c.rotated.to_string(),
                    c.current.to_string(),
                    c.encrypted.to_string(),
                    c.plaintext.to_string(),
                ]
            }),
        );
        let s = self.summary;
        let mode = if self.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        };
        out.line(format!(
            "{} tenant(s): {} rotated, {} already current, {} encrypted, {} left unencrypted{mode}",
            self.tenants.len(),
            s.rotated,
            s.current,
            s.encrypted,
            s.plaintext
        ));
    }
}

pub fn run(ctx: &Context, args: &RotateKeysArgs) -> Result<u8> {
    let tenant = args
        .tenant
        .as_deref()
        .map(|t| super::validate_tenant_id(t).map(|_| t.to_string()))
        .transpose()?;
    let Some(keys) = ctx.config_keys()? else {
        return Err(UsageError::new(format!(
            "no keys to rotate to: set {} (or --config-keys-file) to the new key first, then the old ones, comma-separated",
            fernet::KEYS_VAR
        ))
        .into());
    };
    let db = ctx.open(Access::ReadWrite)?;
    let mut conn = db.connect()?;
    migrations::require_migrated(&mut conn, &db.display)?;
    let tenants = match tenant {
        Some(t) => {
            super::configs::require_tenant(&mut conn, &t)?;
            vec![t]
        }
        None => all_tenants(&mut conn)?,
    };

    let mut done: Vec<TenantRotation> = Vec::with_capacity(tenants.len());
    for tenant in tenants {
        let counts = if args.dry_run {
            rotate_tenant(&mut conn, &keys, &tenant, args.encrypt_plaintext, false)
        } else {
            conn.transaction(|conn| {
                rotate_tenant(conn, &keys, &tenant, args.encrypt_plaintext, true)
            })
        }
        .with_context(|| {
            let finished: Vec<&str> = done.iter().map(|t| t.tenant.as_str()).collect();
            format!(
                "nothing of tenant {tenant} was changed; tenants finished before it: {}",
                if finished.is_empty() {
                    "none".to_string()
                } else {
                    finished.join(", ")
                }
            )
        })?;
        ctx.output.debug(format!("tenant {tenant}: {counts:?}"));
        done.push(TenantRotation { tenant, counts });
    }
    let mut summary = RotationCounts::default();
    done.iter().for_each(|t| summary.add(t.counts));
    if summary.plaintext > 0 {
        ctx.output.info(format!(
            "note: {} config value(s) are stored unencrypted; --encrypt-plaintext encrypts them",
            summary.plaintext
        ));
    }
    ctx.output.emit(&RotateReport {
        database: db.display.clone(),
        dry_run: args.dry_run,
        keys: keys.len(),
        summary,
        tenants: done,
    })?;
    Ok(exit::OK)
}

fn all_tenants(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let rows: Vec<db::TextRow> = diesel::sql_query("SELECT id AS value FROM tenants ORDER BY id")
        .load(conn)
        .context("cannot list the tenants")?;
    Ok(rows.into_iter().map(|r| r.value).collect())
}

/// Rotates one tenant's values; with `write`, inside the caller's transaction after locking
/// the tenant. A value no key decrypts fails the tenant, naming it and the config key.
fn rotate_tenant(
    conn: &mut AnyConnection,
    keys: &ConfigKeys,
    tenant: &str,
    encrypt_plaintext: bool,
    write: bool,
) -> Result<RotationCounts> {
    if write {
        db::lock_tenant(conn, tenant)?;
    }
    let b = conn.backend();
    // The content hash is of the plaintext stored. It changes only when encrypting a value
    // PostgreSQL had normalised (jsonb): the plaintext sealed is then its text, not the file's.
    let update = format!(
        "UPDATE tenant_configs SET value = {}, content_hash = coalesce({}, content_hash) \
         WHERE tenant_id = {} AND key = {}",
        b.json_param(1),
        b.param(2),
        b.param(3),
        b.param(4)
    );
    let mut counts = RotationCounts::default();
    for StoredValue { key, value } in stored_values(conn, tenant, None)? {
        let mut new_hash = None;
        let new_value = match fernet::envelope_token(&value) {
            Some(token) => match keys.rotate(&token).map_err(|_| {
                anyhow!(
                    "config {key:?} of tenant {tenant} does not decrypt with any of the {} key(s) from {} (wrong keys, or a damaged value)",
                    keys.len(),
                    keys.source
                )
            })? {
                Rotation::Current => {
                    counts.current += 1;
                    continue;
                }
                Rotation::Reencrypted(token) => {
                    counts.rotated += 1;
                    ConfigKeys::seal_token(&token)
                }
            },
            None if encrypt_plaintext => {
                counts.encrypted += 1;
                new_hash = Some(hex::encode(Sha256::digest(value.as_bytes())));
                keys.seal(&value)
            }
            None => {
                counts.plaintext += 1;
                continue;
            }
        };
        if write {
            diesel::sql_query(&update)
                .bind::<Text, _>(new_value)
                .bind::<Nullable<Text>, _>(new_hash)
                .bind::<Text, _>(tenant)
                .bind::<Text, _>(&key)
                .execute(conn)
                .with_context(|| format!("cannot store config {key:?} of tenant {tenant}"))?;
        }
    }
    Ok(counts)
}
