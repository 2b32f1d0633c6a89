-- cyrex_backend 0010: drop seasons
DROP TABLE public.seasons;
