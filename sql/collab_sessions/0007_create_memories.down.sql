-- collab_sessions 0007: drop memories
DROP TABLE memories;
