-- cyrex_audit 0001: drop activity_logs
DROP TABLE activity_logs;
