//! `agentdb init-tenant`: the tenant and its default thread, idempotently. Only a hash and
//! a short prefix of the API key are stored.

use anyhow::{bail, Context as _, Result};
use diesel::Connection;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::Context;
use crate::cli::InitTenantArgs;
use crate::db::{Access, AnyConnection};
use crate::error::{exit, UsageError};
use crate::output::{Report, Text as Out};
use crate::store::tenants::{self, NameAndKey};
use crate::store::TenantId;

/// Supplied keys shorter than this are refused: a short key is guessable from its hash.
const MIN_KEY_LEN: usize = 16;

#[derive(Debug, Serialize)]
pub struct InitTenantReport {
    pub database: String,
    pub tenant_id: String,
    pub name: String,
    /// `created`, `updated` (name changed or first key set) or `unchanged`.
    pub tenant: &'static str,
    /// `none`, `set`, `rotated` or `unchanged`.
    pub api_key: &'static str,
    pub api_key_prefix: Option<String>,
    /// Present only when `--generate-api-key` made a key: shown this once, never stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_api_key: Option<String>,
    pub thread_id: String,
    /// `created` or `unchanged`.
    pub thread: &'static str,
}

impl Report for InitTenantReport {
    fn render(&self, out: &mut Out) {
        out.table(
            &["what", "id", "result"],
            [
                vec![
                    "tenant".to_string(),
                    self.tenant_id.clone(),
                    self.tenant.to_string(),
                ],
                vec![
                    "api key".to_string(),
                    self.api_key_prefix
                        .as_ref()
                        .map(|p| format!("{p}…"))
                        .unwrap_or_else(|| "-".to_string()),
                    self.api_key.to_string(),
                ],
                vec![
                    "thread".to_string(),
                    self.thread_id.clone(),
                    self.thread.to_string(),
                ],
            ],
        );
        if let Some(key) = &self.generated_api_key {
            out.line(format!("API key (shown once, store it now): {key}"));
        }
    }
}

pub use crate::store::tenants::HashedKey;

pub fn hash_api_key(key: &str) -> HashedKey {
    let hash = hex::encode(Sha256::digest(key.as_bytes()));
    // Enough to recognise a key, never enough to matter: 12 characters of a long key, 4 of a
    // shorter one.
    let prefix_len = if key.chars().count() >= 32 { 12 } else { 4 };
    HashedKey {
        hash,
        prefix: key.chars().take(prefix_len).collect(),
    }
}

/// A new key: `agdb_` and 256 random bits in hex.
pub fn generate_api_key() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness available: {e}"))?;
    Ok(format!("agdb_{}", hex::encode(bytes)))
}

pub fn run(ctx: &Context, args: &InitTenantArgs) -> Result<u8> {
    let tenant = ctx.tenant(args.tenant_id.as_deref())?;
    if args.thread_id.trim().is_empty() || args.thread_id.len() > 255 {
        return Err(UsageError::new("--thread-id must be 1 to 255 characters").into());
    }
    let generated = if args.generate_api_key {
        Some(generate_api_key()?)
    } else {
        None
    };
    let key = generated
        .clone()
        .or_else(|| args.api_key.clone())
        .or_else(|| ctx.env_value("DEFAULT_TENANT_API_KEY").map(str::to_string));
    if let Some(k) = &key {
        if k.chars().count() < MIN_KEY_LEN {
            return Err(UsageError::new(format!(
                "the API key is too short: use at least {MIN_KEY_LEN} characters, or --generate-api-key"
            ))
            .into());
        }
    }
    let hashed = key.as_deref().map(hash_api_key);

    let (db, mut conn) = ctx.open_migrated(Access::ReadWrite)?;
    let mut report = conn
        .transaction(|conn| apply(conn, &tenant, args, hashed.as_ref()))
        .with_context(|| format!("init-tenant {tenant} failed; nothing was written"))?;
    report.database = db.display.clone();
    report.generated_api_key = generated;
    ctx.output.emit(&report)?;
    Ok(exit::OK)
}

fn apply(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    args: &InitTenantArgs,
    key: Option<&HashedKey>,
) -> Result<InitTenantReport> {
    let name = args.name.clone().unwrap_or_else(|| tenant.to_string());
    // First statement is a write: see `tenants::insert_if_absent`.
    let inserted = tenants::insert_if_absent(conn, tenant, &name, key)?;

    let mut stored_name = name.clone();
    let (tenant_result, key_result) = if inserted {
        ("created", if key.is_some() { "set" } else { "none" })
    } else {
        if !tenants::lock(conn, tenant)? {
            // Nothing inserted and no such tenant: the key is another tenant's.
            bail!("the API key is already used by another tenant; use another key or --generate-api-key");
        }
        let row = tenants::name_and_key(conn, tenant)?;
        let key_result = reconcile_key(conn, tenant, &row, key, args.rotate_api_key)?;
        let renamed = args.name.as_ref().is_some_and(|n| *n != row.name);
        if !renamed {
            stored_name = row.name.clone();
        } else {
            tenants::rename(conn, tenant, &name)?;
        }
        let changed = renamed || key_result == "set" || key_result == "rotated";
        (if changed { "updated" } else { "unchanged" }, key_result)
    };

    let thread_created = tenants::ensure_default_thread(conn, tenant, &args.thread_id)?;
    let prefix = tenants::api_key_prefix(conn, tenant)?;
    Ok(InitTenantReport {
        database: String::new(),
        tenant_id: tenant.to_string(),
        name: stored_name,
        tenant: tenant_result,
        api_key: key_result,
        api_key_prefix: prefix,
        generated_api_key: None,
        thread_id: args.thread_id.clone(),
        thread: if thread_created {
            "created"
        } else {
            "unchanged"
        },
    })
}

/// Sets, keeps or rotates the key of an existing tenant; refuses a silent replacement.
fn reconcile_key(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    row: &NameAndKey,
    key: Option<&HashedKey>,
    rotate: bool,
) -> Result<&'static str> {
    let Some(key) = key else {
        return Ok(if row.api_key_hash.is_some() {
            "unchanged"
        } else {
            "none"
        });
    };
    if tenants::api_key_hash_taken(conn, &key.hash, tenant)? {
        bail!(
            "the API key is already used by another tenant; use another key or --generate-api-key"
        );
    }
    let result = match &row.api_key_hash {
        Some(existing) if *existing == key.hash => return Ok("unchanged"),
        Some(_) if !rotate => bail!(
            "tenant {tenant} already has a different API key; pass --rotate-api-key to replace it"
        ),
        Some(_) => "rotated",
        None => "set",
    };
    tenants::set_api_key(conn, tenant, key)?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex_and_prefixes_short() {
        let k = hash_api_key("agdb_0123456789abcdef0123456789abcdef");
        assert_eq!(k.hash.len(), 64);
        assert_eq!(k.prefix, "agdb_0123456");
        assert_eq!(hash_api_key("sixteen-chars-ok").prefix, "sixt");
        assert_eq!(
            hash_api_key("abc").hash,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn generated_keys_are_random_and_long() {
        let a = generate_api_key().unwrap();
        let b = generate_api_key().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 5 + 64);
        assert!(a.starts_with("agdb_"));
    }
}
