-- cyrex_backend 0016: public momentum leaderboard (users who display their momentum)
CREATE INDEX momentum_leaderboard_idx ON analytics.momentum (total_momentum DESC) WHERE display_momentum;
