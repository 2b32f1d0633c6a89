-- cyrex_audit 0006: drop the user_activity_summary indexes
DROP INDEX user_activity_summary_last_active_at_idx;
