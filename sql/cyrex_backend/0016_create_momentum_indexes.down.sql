-- cyrex_backend 0016: drop the momentum indexes
DROP INDEX analytics.momentum_leaderboard_idx;
