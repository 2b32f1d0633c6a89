-- scheduler 0002: active tasks that are due (replaces the seed's index on the boolean is_active alone)
CREATE INDEX scheduler_tasks_due_idx ON scheduler_tasks (next_run_at) WHERE is_active;
