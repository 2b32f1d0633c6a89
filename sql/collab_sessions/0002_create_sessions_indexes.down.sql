-- collab_sessions 0002: drop the sessions indexes
DROP INDEX sessions_participants_gin_idx;
DROP INDEX sessions_active_last_activity_idx;
