-- scheduler 0004: drop the scheduler_executions indexes
DROP INDEX scheduler_executions_unfinished_idx;
DROP INDEX scheduler_executions_task_id_created_at_idx;
