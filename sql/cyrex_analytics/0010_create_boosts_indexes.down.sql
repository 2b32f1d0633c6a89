-- cyrex_analytics 0010: drop the boosts indexes
DROP INDEX boosts_last_autopilot_reset_idx;
