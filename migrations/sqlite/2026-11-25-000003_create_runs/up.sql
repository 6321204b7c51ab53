CREATE TABLE runs (
    tenant_id       TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    thread_id       TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    total_tasks     INTEGER NOT NULL DEFAULT 0 CHECK (total_tasks >= 0),
    completed_tasks INTEGER NOT NULL DEFAULT 0 CHECK (completed_tasks >= 0),
    failed_tasks    INTEGER NOT NULL DEFAULT 0 CHECK (failed_tasks >= 0),
    state_snapshot  TEXT    CHECK (state_snapshot IS NULL OR json_valid(state_snapshot)),
    error           TEXT,
    created_at      TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    started_at      TEXT,
    finished_at     TEXT,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES threads (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX runs_thread_created_idx ON runs (tenant_id, thread_id, created_at);
CREATE INDEX runs_tenant_status_idx ON runs (tenant_id, status);
