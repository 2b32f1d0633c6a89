-- cyrex_backend 0028: drop the task_completions indexes
DROP INDEX audit.task_completions_task_id_idx;
DROP INDEX audit.task_completions_user_id_completed_at_idx;
