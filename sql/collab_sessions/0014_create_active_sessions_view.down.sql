-- collab_sessions 0014: drop the active_sessions view
DROP VIEW active_sessions;
