-- agent_persistence 0006: drop the agent_context_evolution indexes
DROP INDEX agent_context_evolution_session_id_timestamp_idx;
