-- cyrex_backend 0022: daily-streak leaderboard
CREATE INDEX streaks_daily_current_idx ON analytics.streaks (daily_current DESC);
