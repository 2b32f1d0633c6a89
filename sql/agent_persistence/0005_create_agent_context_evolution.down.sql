-- agent_persistence 0005: drop agent_context_evolution
DROP TABLE agent_context_evolution;
