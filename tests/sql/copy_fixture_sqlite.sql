-- A generated agentdb database for the copy tests (SQLite; run on a migrated file). Covers
-- unicode, NULLs, nested JSON, microsecond timestamps, several tenants; :MESSAGES is replaced.
INSERT INTO tenants (id, name, status, api_key_hash, api_key_prefix, metadata, created_at, updated_at) VALUES
  ('t0', 'Ünïcødé 租户 🚀', 'active', 'hash-0', 'ak_0', '{"plan": {"tier": "gold", "seats": [1, 2.50, {"x": null}]}, "emoji": "🚀", "big": 12345678901234567}', '2026-01-01T00:00:00.000001Z', '2026-01-02T03:04:05.123456Z'),
  ('t1', 'Tenant "one"', 'suspended', NULL, NULL, '{}', '2026-01-01T00:00:00Z', '2026-01-01 00:00:00.5'),
  ('t2', 'tab	and
newline', 'disabled', NULL, NULL, '[]', '2026-01-01T00:00:00.999Z', '2026-01-01T00:00:00.999Z');
INSERT INTO tenant_configs (tenant_id, key, value, source_file, content_hash, created_at, updated_at) VALUES
  ('t0', 'gmail_token', '{"token": "ya29.é\\\"q", "expiry": 1.5e3, "scopes": ["a", "b"]}', 'gmail_token.json', 'h1', '2026-02-01T00:00:00.000100Z', '2026-02-01T00:00:00.000100Z'),
  ('t1', 'google/calendar', '{"nested": {"deep": {"deeper": [true, false, null, -0.25]}}}', NULL, 'h2', '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z');
INSERT INTO agents (tenant_id, id, name, description, agent_type, persona, config, tools, sub_agents, planner, version, is_active, usage_count, created_at, last_used_at, metadata) VALUES
  ('t0', 'a1', 'helper', NULL, 'sequential', 'Tu es 🤖 — “bien”', '{"model": "x", "temperature": 0.7}', '["search"]', '[]', NULL, 3, 0, 9007199254740993, '2026-03-01T00:00:00.123456Z', NULL, '{}'),
  ('t1', 'a1', 'helper', 'd', 'regular', NULL, '{}', '[]', '["a2"]', '{"steps": [1, {"k": "v"}]}', 1, 1, 0, '2026-03-01T00:00:00Z', '2026-03-02T00:00:00.000007Z', '{"x": 1}');
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29)
INSERT INTO threads (tenant_id, id, agent_id, title, agent_type, model, provider, session_id, status, created_at, updated_at, last_message_at, metadata)
SELECT 't' || (i % 3), 'th' || (i / 3), CASE WHEN i % 3 = 2 THEN NULL ELSE 'a1' END,
       CASE WHEN i % 4 = 0 THEN NULL ELSE 'Fil n°' || i || ' ✓' END, NULL, 'gpt', 'openai', NULL,
       CASE i % 3 WHEN 0 THEN 'active' WHEN 1 THEN 'archived' ELSE 'deleted' END,
       '2026-04-01T00:00:00.' || printf('%06d', i + 1) || 'Z', '2026-04-01T00:00:01Z', NULL,
       json_object('i', i, 'tags', json_array('a', i))
FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :MESSAGES - 1)
INSERT INTO messages (tenant_id, id, thread_id, role, content, message_type, tool_name, tool_arguments, tool_call_id, artifact_data, is_complete, created_at, metadata)
SELECT 't' || (i % 3), 'm' || i, 'th' || ((i / 3) % 10),
       CASE i % 4 WHEN 0 THEN 'user' WHEN 1 THEN 'assistant' WHEN 2 THEN 'system' ELSE 'tool' END,
       'héllo ✓ ' || i || ' 日本語 "quoted" \back' || char(10) || 'line' || char(9) || 'tab',
       CASE WHEN i % 4 = 3 THEN 'tool_response' ELSE 'text' END,
       CASE WHEN i % 4 = 3 THEN 'search' ELSE NULL END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE json_object('args', json_array(i, 'x', json_object('deep', i * 1.5, 'none', json('null')))) END,
       CASE WHEN i % 4 = 3 THEN 'call_' || i ELSE NULL END,
       CASE WHEN i % 7 = 0 THEN '{"chart": {"points": [[1, 2], [3, 4.5]], "label": "é"}}' ELSE NULL END,
       i % 2,
       strftime('%Y-%m-%dT%H:%M:%S', 1767225600 + i, 'unixepoch') || '.' || printf('%03d%03d', i % 1000, 1 + i % 999) || 'Z',
       '{}'
FROM n;
INSERT INTO runs (tenant_id, id, thread_id, status, total_tasks, completed_tasks, failed_tasks, state_snapshot, error, created_at, started_at, finished_at) VALUES
  ('t0', 'r1', 'th0', 'succeeded', 3, 3, 0, '{"state": {"step": 3, "done": true}}', NULL, '2026-05-01T00:00:00.000001Z', '2026-05-01T00:00:00.5Z', '2026-05-01T00:00:01.999999Z'),
  ('t1', 'r1', 'th0', 'failed', 2, 1, 1, NULL, 'boom: ünicode', '2026-05-01T00:00:00Z', NULL, NULL);
