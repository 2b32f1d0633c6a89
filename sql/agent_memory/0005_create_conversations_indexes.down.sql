-- agent_memory 0005: drop the conversations indexes
DROP INDEX conversations_created_at_idx;
DROP INDEX conversations_session_id_created_at_idx;
