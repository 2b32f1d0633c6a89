-- collab_sessions 0013: drop the session activity triggers and their function
DROP TRIGGER artifacts_session_move ON artifacts;
DROP TRIGGER artifacts_session_delete ON artifacts;
DROP TRIGGER artifacts_session_insert ON artifacts;
DROP TRIGGER tasks_session_move ON tasks;
DROP TRIGGER tasks_session_delete ON tasks;
DROP TRIGGER tasks_session_insert ON tasks;
DROP TRIGGER memories_session_move ON memories;
DROP TRIGGER memories_session_delete ON memories;
DROP TRIGGER memories_session_insert ON memories;
DROP TRIGGER conversation_chunks_session_move ON conversation_chunks;
DROP TRIGGER conversation_chunks_session_delete ON conversation_chunks;
DROP TRIGGER conversation_chunks_session_insert ON conversation_chunks;
DROP FUNCTION track_session_activity();
