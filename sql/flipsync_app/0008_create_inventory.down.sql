-- flipsync_app 0008: drop inventory
DROP TABLE inventory;
