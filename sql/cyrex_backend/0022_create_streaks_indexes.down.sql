-- cyrex_backend 0022: drop the streaks indexes
DROP INDEX analytics.streaks_daily_current_idx;
