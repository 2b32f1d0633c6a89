-- cyrex_analytics 0002: drop the momentum indexes
DROP INDEX momentum_leaderboard_idx;
