-- cyrex_analytics 0002: public momentum leaderboard (users who display their momentum)
CREATE INDEX momentum_leaderboard_idx ON momentum (total_momentum DESC) WHERE display_momentum;
