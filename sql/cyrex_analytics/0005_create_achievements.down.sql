-- cyrex_analytics 0005: drop achievements
DROP TABLE achievements;
