-- Issue 18, tried: the drift query's catalog reads as three flat statements (no sublinks, no UNION,
-- no JSON), raw attnum arrays left for the client to name. Measured by bench/probe_cpu.py --extra;
-- not adopted: on a fresh backend it saved about a quarter of the query's server CPU, while the
-- gap to `status` is 5x. Tables and schema written in, as probe_cpu.py binds them.
SELECT c.relname::text, a.attnum, a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity::text, a.attgenerated::text, pg_get_expr(d.adbin, d.adrelid)
FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r','p') AND c.relname = ANY (ARRAY['tenants','tenant_configs','agents','threads','messages','runs']::text[]);
SELECT c.relname::text, i.relname::text, x.indexrelid::oid::bigint, x.indisunique, am.amname::text, x.indnkeyatts, x.indkey::int2[]::text, x.indoption::int2[]::text,
  CASE WHEN x.indexprs IS NOT NULL THEN ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) FROM generate_series(1, x.indnatts) k ORDER BY k) END,
  pg_get_expr(x.indpred, x.indrelid, true), x.indnullsnotdistinct
FROM pg_class c JOIN pg_index x ON x.indrelid = c.oid JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am am ON am.oid = i.relam
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r','p') AND c.relname = ANY (ARRAY['tenants','tenant_configs','agents','threads','messages','runs']::text[]);
SELECT c.relname::text, k.conname::text, k.contype::text, k.conkey::text, f.relname::text, k.confkey::text, k.confupdtype::text, k.confdeltype::text, k.confmatchtype::text, k.condeferrable, k.condeferred, k.convalidated, k.conindid::bigint,
  CASE k.contype WHEN 'c' THEN pg_get_expr(k.conbin, k.conrelid, true) WHEN 'x' THEN pg_get_constraintdef(k.oid, true) END
FROM pg_class c JOIN pg_constraint k ON k.conrelid = c.oid LEFT JOIN pg_class f ON f.oid = k.confrelid
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) AND c.relkind IN ('r','p') AND c.relname = ANY (ARRAY['tenants','tenant_configs','agents','threads','messages','runs']::text[]);
