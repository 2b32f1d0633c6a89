-- agent_memory 0001: drop memory_banks
DROP TABLE memory_banks;
