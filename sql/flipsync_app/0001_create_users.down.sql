-- flipsync_app 0001: drop users
DROP TABLE users;
