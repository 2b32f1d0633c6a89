-- cyrex 0004: executions of a workflow (foreign key); an agent's recent executions; executions not yet finished (monitoring, retries)
CREATE INDEX task_executions_workflow_id_idx ON task_executions (workflow_id);
CREATE INDEX task_executions_agent_id_created_at_idx ON task_executions (agent_id, created_at DESC);
CREATE INDEX task_executions_unfinished_idx ON task_executions (created_at)
    WHERE status IN ('pending', 'queued', 'running');
