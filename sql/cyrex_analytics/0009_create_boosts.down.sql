-- cyrex_analytics 0009: drop boosts
DROP TABLE boosts;
