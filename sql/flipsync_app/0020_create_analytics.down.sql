-- flipsync_app 0020: drop analytics
DROP TABLE analytics;
