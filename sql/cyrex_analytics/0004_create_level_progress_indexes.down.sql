-- cyrex_analytics 0004: drop the level_progress indexes
DROP INDEX level_progress_momentum_id_reached_at_idx;
