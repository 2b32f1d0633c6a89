-- cyrex 0004: drop the task_executions indexes
DROP INDEX task_executions_unfinished_idx;
DROP INDEX task_executions_agent_id_created_at_idx;
DROP INDEX task_executions_workflow_id_idx;
