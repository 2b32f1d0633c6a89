-- cyrex_backend 0007: a user's projects, recently updated first (covers the foreign key)
CREATE INDEX projects_owner_id_updated_at_idx ON public.projects (owner_id, updated_at DESC);
