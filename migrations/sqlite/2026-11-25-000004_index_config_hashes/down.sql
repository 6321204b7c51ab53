DROP INDEX tenant_configs_hash_idx;
