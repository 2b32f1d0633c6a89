-- agent_persistence 0010: drop the agent_session_history indexes
DROP INDEX agent_session_history_active_idx;
DROP INDEX agent_session_history_agent_id_started_at_idx;
