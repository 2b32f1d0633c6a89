-- cyrex_backend 0024: drop the boosts indexes
DROP INDEX analytics.boosts_last_autopilot_reset_idx;
