-- import-configs compares content hashes of a tenant's configs: a covering index reads them
-- without touching the (possibly large) JSON values.
CREATE INDEX tenant_configs_hash_idx ON tenant_configs (tenant_id, key, content_hash);
