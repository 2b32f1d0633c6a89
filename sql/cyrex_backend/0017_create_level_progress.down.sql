-- cyrex_backend 0017: drop level_progress
DROP TABLE analytics.level_progress;
