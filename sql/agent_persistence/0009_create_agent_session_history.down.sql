-- agent_persistence 0009: drop agent_session_history
DROP TABLE agent_session_history;
