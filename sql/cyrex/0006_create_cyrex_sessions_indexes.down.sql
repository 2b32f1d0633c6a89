-- cyrex 0006: drop the cyrex_sessions indexes
DROP INDEX cyrex_sessions_expires_at_idx;
DROP INDEX cyrex_sessions_agent_id_idx;
DROP INDEX cyrex_sessions_user_id_last_activity_idx;
