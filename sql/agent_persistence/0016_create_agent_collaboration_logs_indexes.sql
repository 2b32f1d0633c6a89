-- agent_persistence 0016: messages of a session (foreign key) in order; an agent's inbox
CREATE INDEX agent_collaboration_logs_session_id_created_at_idx ON agent_collaboration_logs (session_id, created_at);
CREATE INDEX agent_collaboration_logs_to_agent_created_at_idx ON agent_collaboration_logs (to_agent, created_at DESC);
