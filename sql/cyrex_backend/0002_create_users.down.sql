-- cyrex_backend 0002: drop users
DROP TABLE public.users;
