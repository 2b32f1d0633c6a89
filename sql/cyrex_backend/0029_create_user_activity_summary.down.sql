-- cyrex_backend 0029: drop user_activity_summary
DROP TABLE audit.user_activity_summary;
