-- cyrex 0003: workflows by status, most recently updated first
CREATE INDEX workflows_status_updated_at_idx ON workflows (status, updated_at DESC);
