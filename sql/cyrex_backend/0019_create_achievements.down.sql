-- cyrex_backend 0019: drop achievements
DROP TABLE analytics.achievements;
