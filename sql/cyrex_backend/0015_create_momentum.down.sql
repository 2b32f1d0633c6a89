-- cyrex_backend 0015: drop momentum
DROP TABLE analytics.momentum;
