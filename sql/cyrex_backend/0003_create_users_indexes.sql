-- cyrex_backend 0003: users holding a role, e.g. the admin list (covers the foreign key)
CREATE INDEX users_role_id_idx ON public.users (role_id);
