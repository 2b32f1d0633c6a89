-- collab_sessions 0003: drop agents
DROP TABLE agents;
