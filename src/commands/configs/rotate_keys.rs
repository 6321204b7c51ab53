//! `agentdb configs rotate-keys`: re-encrypts every encrypted config value with the first key
//! (keeping each token's timestamp, like `MultiFernet.rotate`) and, with
//! `--encrypt-plaintext`, encrypts the values stored unencrypted. One transaction per tenant,
//! which locks the tenant's row as `import-configs` does. Values already under the first key
//! are left alone, so an interrupted run resumes where it stopped.

use anyhow::{anyhow, Context as _, Result};
use diesel::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cli::RotateKeysArgs;
use crate::commands::Context;
use crate::db::{Access, AnyConnection};
use crate::error::{exit, UsageError};
use crate::fernet::{self, ConfigKeys, Rotation};
use crate::output::{Report, Text as Out};
use crate::store::configs::{stored_values, Reseal, StoredValue};
use crate::store::tenants::{self, MissingHint};
use crate::store::TenantId;

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
    let tenant = args.tenant.as_deref().map(TenantId::parse).transpose()?;
    let Some(keys) = ctx.config_keys()? else {
        return Err(UsageError::new(format!(
            "no keys to rotate to: set {} (or --config-keys-file) to the new key first, then the old ones, comma-separated",
            fernet::KEYS_VAR
        ))
        .into());
    };
    let (db, mut conn) = ctx.open_migrated(Access::ReadWrite)?;
    let tenants = match tenant {
        Some(t) => {
            tenants::require(&mut conn, &t, MissingHint::ListTenants)?;
            vec![t]
        }
        None => tenants::all_ids(&mut conn)?,
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
        done.push(TenantRotation {
            tenant: tenant.into_string(),
            counts,
        });
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

/// Rotates one tenant's values; with `write`, inside the caller's transaction after locking
/// the tenant. A value no key decrypts fails the tenant, naming it and the config key.
fn rotate_tenant(
    conn: &mut AnyConnection,
    keys: &ConfigKeys,
    tenant: &TenantId,
    encrypt_plaintext: bool,
    write: bool,
) -> Result<RotationCounts> {
    if write {
        tenants::lock(conn, tenant)?;
    }
    // The content hash is of the plaintext stored. It changes only when encrypting a value
    // PostgreSQL had normalised (jsonb): the plaintext sealed is then its text, not the file's.
    let reseal = Reseal::new(conn.backend());
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
            reseal.write(conn, tenant, &key, new_value, new_hash)?;
        }
    }
    Ok(counts)
}
