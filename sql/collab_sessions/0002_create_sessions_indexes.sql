-- collab_sessions 0002: active sessions by recent activity (active_sessions view); sessions a participant is in
CREATE INDEX sessions_active_last_activity_idx ON sessions (last_activity DESC) WHERE status = 'active';
CREATE INDEX sessions_participants_gin_idx ON sessions USING gin (participants jsonb_path_ops);
