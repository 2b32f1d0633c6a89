-- cyrex_audit 0003: drop task_completions
DROP TABLE task_completions;
