-- cyrex_backend 0030: most recently active users
CREATE INDEX user_activity_summary_last_active_at_idx ON audit.user_activity_summary (last_active_at DESC NULLS LAST);
