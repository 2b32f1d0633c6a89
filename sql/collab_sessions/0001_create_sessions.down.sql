-- collab_sessions 0001: drop sessions
DROP TABLE sessions;
