-- Every reference between tenant-owned rows carries tenant_id, so no row can point at another
-- tenant's data and the tables can later be distributed by tenant.
CREATE TABLE agents (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    description  TEXT,
    agent_type   TEXT    NOT NULL DEFAULT 'regular' CHECK (agent_type IN ('regular', 'sequential', 'parallel')),
    persona      TEXT,
    config       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
    tools        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tools)),
    sub_agents   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(sub_agents)),
    planner      TEXT    CHECK (planner IS NULL OR json_valid(planner)),
    version      INTEGER NOT NULL DEFAULT 1,
    is_active    INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    usage_count  INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_used_at TEXT,
    metadata     TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE threads (
    tenant_id       TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    agent_id        TEXT,
    title           TEXT,
    agent_type      TEXT,
    model           TEXT,
    provider        TEXT,
    session_id      TEXT,
    status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived', 'deleted')),
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_message_at TEXT,
    metadata        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, agent_id) REFERENCES agents (tenant_id, id)
);
CREATE INDEX threads_tenant_status_idx ON threads (tenant_id, status);
CREATE INDEX threads_tenant_agent_idx ON threads (tenant_id, agent_id);

CREATE TABLE messages (
    tenant_id      TEXT    NOT NULL,
    id             TEXT    NOT NULL,
    thread_id      TEXT    NOT NULL,
    role           TEXT    NOT NULL CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content        TEXT    NOT NULL DEFAULT '',
    message_type   TEXT    NOT NULL DEFAULT 'text' CHECK (message_type IN ('text', 'tool_call', 'tool_response', 'thinking', 'error')),
    tool_name      TEXT,
    tool_arguments TEXT    CHECK (tool_arguments IS NULL OR json_valid(tool_arguments)),
    tool_call_id   TEXT,
    artifact_data  TEXT    CHECK (artifact_data IS NULL OR json_valid(artifact_data)),
    is_complete    INTEGER NOT NULL DEFAULT 1 CHECK (is_complete IN (0, 1)),
    created_at     TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    metadata       TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES threads (tenant_id, id) ON DELETE CASCADE
);
-- Per-thread chronological reads.
CREATE INDEX messages_thread_created_idx ON messages (tenant_id, thread_id, created_at, id);
