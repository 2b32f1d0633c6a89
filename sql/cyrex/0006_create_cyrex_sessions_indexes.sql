-- cyrex 0006: a user's sessions by recent activity; sessions of an agent; expiry sweep
CREATE INDEX cyrex_sessions_user_id_last_activity_idx ON cyrex_sessions (user_id, last_activity DESC);
CREATE INDEX cyrex_sessions_agent_id_idx ON cyrex_sessions (agent_id);
CREATE INDEX cyrex_sessions_expires_at_idx ON cyrex_sessions (expires_at) WHERE expires_at IS NOT NULL;
