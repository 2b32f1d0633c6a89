-- cyrex_analytics 0008: drop the streaks indexes
DROP INDEX streaks_daily_current_idx;
