-- cyrex_backend 0004: drop sessions
DROP TABLE public.sessions;
