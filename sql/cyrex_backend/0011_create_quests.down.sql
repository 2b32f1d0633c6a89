-- cyrex_backend 0011: drop quests
DROP TABLE public.quests;
