-- cyrex_backend 0008: drop tasks
DROP TABLE public.tasks;
