-- agent_persistence 0002: an agent's recent decisions; decisions containing a given path step
CREATE INDEX agent_decision_trees_agent_id_created_at_idx ON agent_decision_trees (agent_id, created_at DESC);
CREATE INDEX agent_decision_trees_decision_path_gin_idx ON agent_decision_trees USING gin (decision_path jsonb_path_ops);
