-- agent_persistence 0007: drop agent_memory_bank
DROP TABLE agent_memory_bank;
