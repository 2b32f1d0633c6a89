-- collab_sessions 0015: drop the task_queue view
DROP VIEW task_queue;
