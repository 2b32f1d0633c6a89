-- cyrex_backend 0003: drop the users indexes
DROP INDEX public.users_role_id_idx;
