-- cyrex_analytics 0001: drop momentum
DROP TABLE momentum;
