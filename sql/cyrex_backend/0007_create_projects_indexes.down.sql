-- cyrex_backend 0007: drop the projects indexes
DROP INDEX public.projects_owner_id_updated_at_idx;
