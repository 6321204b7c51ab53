//! A key of a JSON metadata column (agentdb's `threads.metadata`, LangGraph's checkpoint
//! `metadata`) and how each backend compares its value with a bound id.

use super::Backend;

/// A metadata key (`user_id`, `owner`, `sub`, …): letters, digits, `_` and `-`, so that it
/// can be written into a JSON path without quoting trouble.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct MetadataKey(String);

impl MetadataKey {
    pub fn parse(text: &str) -> std::result::Result<MetadataKey, String> {
        if text.is_empty()
            || text.len() > 64
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!(
                "{text:?} is not a metadata key: 1 to 64 letters, digits, _ or -"
            ));
        }
        Ok(MetadataKey(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for MetadataKey {
    fn default() -> Self {
        MetadataKey("user_id".into())
    }
}

impl Backend {
    /// A boolean: the JSON `column` has `key` = parameter 1, as a string or as a number written
    /// the same way (`1` for the id `1`); never a nested value or a boolean. SQLite stores
    /// metadata as JSON text or as a UTF-8 blob (SqliteSaver), read through `CAST` as the
    /// library does; a value that is not JSON (another program's row) is no match, not an
    /// error.
    pub fn json_key_equals(self, column: &str, key: &MetadataKey) -> String {
        let key = key.as_str();
        match self {
            Backend::Postgres => format!(
                "({column} ->> '{key}' = $1 \
                 AND jsonb_typeof({column} -> '{key}') IN ('string', 'number'))"
            ),
            Backend::Sqlite => format!(
                "(CASE WHEN json_valid(CAST({column} AS TEXT)) THEN \
                 (CAST(json_extract(CAST({column} AS TEXT), '$.\"{key}\"') AS TEXT) = ?1 \
                 AND json_type(CAST({column} AS TEXT), '$.\"{key}\"') \
                 IN ('text', 'integer', 'real')) ELSE 0 END)"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_keys_are_plain_names() {
        for ok in ["user_id", "owner", "sub", "userId", "x-1"] {
            assert!(MetadataKey::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a.b", "a\"b", "a b", "$.x", &"k".repeat(65)] {
            assert!(MetadataKey::parse(bad).is_err(), "{bad}");
        }
    }
}
