-- scheduler 0004: a task's latest executions (covers the foreign key); executions still pending or running
CREATE INDEX scheduler_executions_task_id_created_at_idx ON scheduler_executions (task_id, created_at DESC);
CREATE INDEX scheduler_executions_unfinished_idx ON scheduler_executions (created_at)
    WHERE status IN ('pending', 'running');
