-- agent_persistence 0002: drop the agent_decision_trees indexes
DROP INDEX agent_decision_trees_decision_path_gin_idx;
DROP INDEX agent_decision_trees_agent_id_created_at_idx;
