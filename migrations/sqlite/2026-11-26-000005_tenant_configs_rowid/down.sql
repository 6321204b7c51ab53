-- Back to the WITHOUT ROWID table of 2026-11-25-000001 (with the index of 000004).
CREATE TABLE tenant_configs_rebuilt (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (key <> ''),
    value        TEXT NOT NULL CHECK (json_valid(value)),
    source_file  TEXT,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (tenant_id, key)
) WITHOUT ROWID;
INSERT INTO tenant_configs_rebuilt (tenant_id, key, value, source_file, content_hash, created_at, updated_at)
    SELECT tenant_id, key, value, source_file, content_hash, created_at, updated_at FROM tenant_configs;
DROP TABLE tenant_configs;
ALTER TABLE tenant_configs_rebuilt RENAME TO tenant_configs;
CREATE INDEX tenant_configs_hash_idx ON tenant_configs (tenant_id, key, content_hash);
