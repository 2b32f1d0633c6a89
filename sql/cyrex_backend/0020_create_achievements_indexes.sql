-- cyrex_backend 0020: who unlocked an achievement, most recent first
CREATE INDEX achievements_achievement_id_unlocked_at_idx ON analytics.achievements (achievement_id, unlocked_at DESC);
