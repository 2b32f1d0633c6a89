-- cyrex_backend 0012: a season's quests (covers the foreign key)
CREATE INDEX quests_season_id_idx ON public.quests (season_id);
