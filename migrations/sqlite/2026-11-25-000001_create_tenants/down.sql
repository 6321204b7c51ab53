DROP TABLE tenant_configs;
DROP TABLE tenants;
