-- cyrex_backend 0005: a user's sessions, newest first (covers the foreign key); sweep of expired sessions not yet revoked
CREATE INDEX sessions_user_id_created_at_idx ON public.sessions (user_id, created_at DESC);
CREATE INDEX sessions_expires_at_idx ON public.sessions (expires_at) WHERE revoked_at IS NULL;
