-- cyrex_backend 0012: drop the quests indexes
DROP INDEX public.quests_season_id_idx;
