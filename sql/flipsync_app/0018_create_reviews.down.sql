-- flipsync_app 0018: drop reviews
DROP TABLE reviews;
