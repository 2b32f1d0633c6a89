-- cyrex_backend 0024: daily autopilot reset sweep (rows not yet reset today)
CREATE INDEX boosts_last_autopilot_reset_idx ON analytics.boosts (last_autopilot_reset);
