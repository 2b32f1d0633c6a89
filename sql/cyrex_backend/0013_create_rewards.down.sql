-- cyrex_backend 0013: drop rewards
DROP TABLE public.rewards;
