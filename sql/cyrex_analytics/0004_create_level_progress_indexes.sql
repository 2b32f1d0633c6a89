-- cyrex_analytics 0004: a user's level history, newest first (covers the foreign key)
CREATE INDEX level_progress_momentum_id_reached_at_idx ON level_progress (momentum_id, reached_at DESC);
