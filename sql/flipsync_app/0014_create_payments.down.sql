-- flipsync_app 0014: drop payments
DROP TABLE payments;
