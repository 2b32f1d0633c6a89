-- collab_sessions 0015: pending tasks in the order claim_task hands them out, numbered per agent (seed 003: views)
CREATE VIEW task_queue WITH (security_invoker = true) AS
SELECT t.id, t.session_id, s.title AS session_title, t.agent_name, t.task_type, t.priority,
       t.input_data, t.created_at,
       row_number() OVER (PARTITION BY t.agent_name ORDER BY t.priority DESC, t.created_at, t.id) AS queue_position
FROM tasks t
JOIN sessions s ON s.id = t.session_id
WHERE t.status = 'pending'
ORDER BY t.agent_name, t.priority DESC, t.created_at, t.id;
