-- cyrex_backend 0018: a user's level history, newest first (covers the foreign key)
CREATE INDEX level_progress_momentum_id_reached_at_idx ON analytics.level_progress (momentum_id, reached_at DESC);
