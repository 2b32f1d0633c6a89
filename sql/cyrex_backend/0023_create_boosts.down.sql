-- cyrex_backend 0023: drop boosts
DROP TABLE analytics.boosts;
