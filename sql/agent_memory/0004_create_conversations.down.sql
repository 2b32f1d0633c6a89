-- agent_memory 0004: drop conversations
DROP TABLE conversations;
