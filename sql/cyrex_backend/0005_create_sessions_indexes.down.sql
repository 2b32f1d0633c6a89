-- cyrex_backend 0005: drop the sessions indexes
DROP INDEX public.sessions_expires_at_idx;
DROP INDEX public.sessions_user_id_created_at_idx;
