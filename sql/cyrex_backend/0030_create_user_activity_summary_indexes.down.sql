-- cyrex_backend 0030: drop the user_activity_summary indexes
DROP INDEX audit.user_activity_summary_last_active_at_idx;
