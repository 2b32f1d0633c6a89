-- collab_sessions 0014: active sessions, most recently active first, with their open task count (seed 003: views)
CREATE VIEW active_sessions WITH (security_invoker = true) AS
SELECT s.id, s.title, s.participants, s.status, s.created, s.last_activity,
       s.chunk_count, s.memory_count, s.task_count, s.artifact_count,
       (SELECT count(*) FROM tasks t
         WHERE t.session_id = s.id AND t.status IN ('pending', 'claimed', 'running')) AS open_task_count
FROM sessions s
WHERE s.status = 'active'
ORDER BY s.last_activity DESC;
