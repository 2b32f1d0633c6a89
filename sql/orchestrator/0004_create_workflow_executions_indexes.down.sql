-- orchestrator 0004: drop the workflow_executions indexes
DROP INDEX workflow_executions_unfinished_idx;
DROP INDEX workflow_executions_workflow_id_created_at_idx;
