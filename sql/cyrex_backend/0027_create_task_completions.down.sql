-- cyrex_backend 0027: drop task_completions
DROP TABLE audit.task_completions;
