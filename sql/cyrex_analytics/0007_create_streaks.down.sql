-- cyrex_analytics 0007: drop streaks
DROP TABLE streaks;
