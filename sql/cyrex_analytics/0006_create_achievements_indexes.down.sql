-- cyrex_analytics 0006: drop the achievements indexes
DROP INDEX achievements_achievement_id_unlocked_at_idx;
