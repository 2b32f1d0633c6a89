-- agent_persistence 0015: drop agent_collaboration_logs
DROP TABLE agent_collaboration_logs;
