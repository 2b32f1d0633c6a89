-- cyrex_backend 0018: drop the level_progress indexes
DROP INDEX analytics.level_progress_momentum_id_reached_at_idx;
