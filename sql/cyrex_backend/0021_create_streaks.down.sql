-- cyrex_backend 0021: drop streaks
DROP TABLE analytics.streaks;
