CREATE TABLE runs (
    tenant_id       TEXT        NOT NULL,
    id              TEXT        NOT NULL,
    thread_id       TEXT        NOT NULL,
    status          TEXT        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'cancelled')),
    total_tasks     INTEGER     NOT NULL DEFAULT 0 CHECK (total_tasks >= 0),
    completed_tasks INTEGER     NOT NULL DEFAULT 0 CHECK (completed_tasks >= 0),
    failed_tasks    INTEGER     NOT NULL DEFAULT 0 CHECK (failed_tasks >= 0),
    state_snapshot  JSONB,
    error           TEXT,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at      TIMESTAMPTZ,
    finished_at     TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, thread_id) REFERENCES threads (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX runs_thread_created_idx ON runs (tenant_id, thread_id, created_at);
CREATE INDEX runs_tenant_status_idx ON runs (tenant_id, status);
