-- agent_persistence 0003: drop agent_learning_patterns
DROP TABLE agent_learning_patterns;
