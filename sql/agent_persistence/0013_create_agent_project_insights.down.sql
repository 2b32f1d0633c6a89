-- agent_persistence 0013: drop agent_project_insights
DROP TABLE agent_project_insights;
