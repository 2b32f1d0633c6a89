-- collab_sessions 0010: the claim queue per agent (pending only, in claim order); an agent's tasks by status (covers the agent_name foreign key); a session's tasks (covers the session_id foreign key)
CREATE INDEX tasks_pending_queue_idx ON tasks (agent_name, priority DESC, created_at, id) WHERE status = 'pending';
CREATE INDEX tasks_agent_name_status_idx ON tasks (agent_name, status);
CREATE INDEX tasks_session_id_created_at_idx ON tasks (session_id, created_at);
