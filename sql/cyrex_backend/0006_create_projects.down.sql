-- cyrex_backend 0006: drop projects
DROP TABLE public.projects;
