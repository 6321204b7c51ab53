//! The store: every query on agentdb's own tables (tenants, tenant configs, agents, threads,
//! messages, runs). Commands ask the store; they hold no SQL of their own. A tenant id reaches
//! the store only as a [`TenantId`], so nothing but a validated id is ever bound into SQL.

use std::fmt;

use crate::error::UsageError;

pub mod configs;
pub mod copy;
pub mod erase;
pub mod prune;
pub mod stats;
pub mod tenants;

/// The tenant every command falls back to without `--tenant` and `DEFAULT_TENANT_ID`.
pub const FALLBACK_TENANT_ID: &str = "default";

/// A tenant id known to match `[a-z0-9][a-z0-9_-]{0,62}`: the only form in which one reaches
/// the store. Built by [`TenantId::parse`] (an explicit id) or [`TenantId::resolve`] (the
/// flag, else `DEFAULT_TENANT_ID`, else `default`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct TenantId(String);

impl TenantId {
    /// Checks an id; refused (exit 2) unless it matches `[a-z0-9][a-z0-9_-]{0,62}`.
    pub fn parse(id: &str) -> Result<TenantId, UsageError> {
        let mut chars = id.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok =
            chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if first_ok && rest_ok && id.len() <= 63 {
            Ok(TenantId(id.to_string()))
        } else {
            Err(UsageError::new(format!(
                "invalid tenant id {id:?}: use 1 to 63 characters of a-z, 0-9, '_' and '-', starting with a letter or digit"
            )))
        }
    }

    /// The one fallback rule: the flag, else the `DEFAULT_TENANT_ID` setting, else `default`.
    pub fn resolve(
        flag: Option<&str>,
        default_setting: Option<&str>,
    ) -> Result<TenantId, UsageError> {
        TenantId::parse(flag.or(default_setting).unwrap_or(FALLBACK_TENANT_ID))
    }

    /// An id read from the `tenants` table: it names a tenant that exists, whatever wrote it,
    /// and goes back to SQL only as a bound parameter, so it is taken as it is.
    fn stored(id: String) -> TenantId {
        TenantId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for TenantId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::TenantId;

    #[test]
    fn tenant_ids() {
        for ok in ["default", "a", "acme-prod_2", "0", &"a".repeat(63)] {
            assert!(TenantId::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "_a",
            "Acme",
            "a b",
            "a;drop",
            "a'",
            "é",
            &"a".repeat(64),
            "a\n",
        ] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn fallback_order() {
        assert_eq!(
            TenantId::resolve(Some("a"), Some("b")).unwrap().as_str(),
            "a"
        );
        assert_eq!(TenantId::resolve(None, Some("b")).unwrap().as_str(), "b");
        assert_eq!(TenantId::resolve(None, None).unwrap().as_str(), "default");
        assert!(TenantId::resolve(None, Some("B")).is_err());
    }
}
