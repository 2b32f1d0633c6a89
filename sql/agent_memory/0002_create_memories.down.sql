-- agent_memory 0002: drop memories
DROP TABLE memories;
