-- cyrex_backend 0028: a user's completions, newest first; completions of a task
CREATE INDEX task_completions_user_id_completed_at_idx ON audit.task_completions (user_id, completed_at DESC);
CREATE INDEX task_completions_task_id_idx ON audit.task_completions (task_id);
