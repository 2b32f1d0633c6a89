-- orchestrator 0004: a workflow's runs (covers the foreign key); the runs still pending or running
CREATE INDEX workflow_executions_workflow_id_created_at_idx ON workflow_executions (workflow_id, created_at DESC);
CREATE INDEX workflow_executions_unfinished_idx ON workflow_executions (created_at)
    WHERE status IN ('pending', 'running');
