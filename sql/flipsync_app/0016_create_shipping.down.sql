-- flipsync_app 0016: drop shipping
DROP TABLE shipping;
