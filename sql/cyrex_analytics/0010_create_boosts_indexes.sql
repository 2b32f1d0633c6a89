-- cyrex_analytics 0010: daily autopilot reset sweep (rows not yet reset today)
CREATE INDEX boosts_last_autopilot_reset_idx ON boosts (last_autopilot_reset);
