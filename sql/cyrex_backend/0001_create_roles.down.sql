-- cyrex_backend 0001: drop roles
DROP TABLE public.roles;
