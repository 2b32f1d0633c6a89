-- cyrex_audit 0006: most recently active users
CREATE INDEX user_activity_summary_last_active_at_idx ON user_activity_summary (last_active_at DESC NULLS LAST);
