-- cyrex_analytics 0008: daily-streak leaderboard
CREATE INDEX streaks_daily_current_idx ON streaks (daily_current DESC);
