-- cyrex_analytics 0003: drop level_progress
DROP TABLE level_progress;
