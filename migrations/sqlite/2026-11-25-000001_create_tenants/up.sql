-- Tenants and their configuration documents (API keys, OAuth tokens, ...).
-- SQLite: JSON is validated text, times are UTC ISO-8601 text, booleans are 0/1.
CREATE TABLE tenants (
    id             TEXT NOT NULL PRIMARY KEY
                   CHECK (length(id) BETWEEN 1 AND 63 AND id NOT GLOB '*[^a-z0-9_-]*' AND substr(id, 1, 1) GLOB '[a-z0-9]'),
    name           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'disabled')),
    api_key_hash   TEXT UNIQUE,
    api_key_prefix TEXT,
    metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE tenant_configs (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (key <> ''),
    value        TEXT NOT NULL CHECK (json_valid(value)),
    source_file  TEXT,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (tenant_id, key)
) WITHOUT ROWID;
