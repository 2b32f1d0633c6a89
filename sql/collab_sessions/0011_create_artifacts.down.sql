-- collab_sessions 0011: drop artifacts
DROP TABLE artifacts;
