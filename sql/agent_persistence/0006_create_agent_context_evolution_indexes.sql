-- agent_persistence 0006: replay a session's context history in order
CREATE INDEX agent_context_evolution_session_id_timestamp_idx ON agent_context_evolution (session_id, "timestamp");
