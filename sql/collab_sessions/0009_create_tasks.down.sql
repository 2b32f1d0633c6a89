-- collab_sessions 0009: drop tasks
DROP TABLE tasks;
