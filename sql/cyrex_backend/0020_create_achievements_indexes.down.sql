-- cyrex_backend 0020: drop the achievements indexes
DROP INDEX analytics.achievements_achievement_id_unlocked_at_idx;
