-- tenant_configs becomes an ordinary (rowid) table. WITHOUT ROWID keeps each whole row in the
-- primary key's b-tree, where a row over about 1,000 bytes (4 KiB pages) spills into an overflow
-- page of its own. Config values are often that large, and encrypted ones more so (a 535-byte
-- token file becomes an 817-byte Fernet envelope): an import of 10,000 of them wrote five times
-- the pages and took 2.3x as long. A rowid table keeps rows up to about 4 KB in its leaf pages.
CREATE TABLE tenant_configs_rebuilt (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key          TEXT NOT NULL CHECK (key <> ''),
    value        TEXT NOT NULL CHECK (json_valid(value)),
    source_file  TEXT,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (tenant_id, key)
);
INSERT INTO tenant_configs_rebuilt (tenant_id, key, value, source_file, content_hash, created_at, updated_at)
    SELECT tenant_id, key, value, source_file, content_hash, created_at, updated_at FROM tenant_configs;
DROP TABLE tenant_configs;
ALTER TABLE tenant_configs_rebuilt RENAME TO tenant_configs;
CREATE INDEX tenant_configs_hash_idx ON tenant_configs (tenant_id, key, content_hash);
