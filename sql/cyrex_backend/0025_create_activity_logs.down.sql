-- cyrex_backend 0025: drop activity_logs
DROP TABLE audit.activity_logs;
