-- cyrex_audit 0005: drop user_activity_summary
DROP TABLE user_activity_summary;
