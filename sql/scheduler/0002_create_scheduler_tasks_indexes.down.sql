-- scheduler 0002: drop the scheduler_tasks indexes
DROP INDEX scheduler_tasks_due_idx;
