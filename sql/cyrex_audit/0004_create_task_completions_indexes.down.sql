-- cyrex_audit 0004: drop the task_completions indexes
DROP INDEX task_completions_task_id_idx;
DROP INDEX task_completions_user_id_completed_at_idx;
