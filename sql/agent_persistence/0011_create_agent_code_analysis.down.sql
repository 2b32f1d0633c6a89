-- agent_persistence 0011: drop agent_code_analysis
DROP TABLE agent_code_analysis;
