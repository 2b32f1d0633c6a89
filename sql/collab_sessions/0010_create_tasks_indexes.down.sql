-- collab_sessions 0010: drop the tasks indexes
DROP INDEX tasks_session_id_created_at_idx;
DROP INDEX tasks_agent_name_status_idx;
DROP INDEX tasks_pending_queue_idx;
