-- agent_persistence 0010: an agent's recent sessions; sessions still open
CREATE INDEX agent_session_history_agent_id_started_at_idx ON agent_session_history (agent_id, started_at DESC);
CREATE INDEX agent_session_history_active_idx ON agent_session_history (started_at) WHERE status = 'active';
