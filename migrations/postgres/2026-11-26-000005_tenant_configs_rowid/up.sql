-- SQLite only: tenant_configs there becomes a rowid table (see migrations/sqlite). PostgreSQL
-- heap tables keep large rows out of line already (TOAST), so nothing changes here.
SELECT 1;
