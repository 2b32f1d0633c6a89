-- collab_sessions 0013: keep sessions.last_activity and the chunk/memory/task/artifact counters current on insert, delete and session moves
-- Statement-level INSERT/DELETE triggers update each affected session once per statement (bulk
-- loads stay cheap); a row-level trigger handles the rare UPDATE that moves a row to another
-- session. Plain UPDATEs (e.g. claim_task) do not touch the session row, so claims never queue
-- behind a session lock. search_path is pinned to the one the migration ran with, so callers with
-- any search_path resolve the same tables.
CREATE FUNCTION track_session_activity() RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE sessions s
           SET chunk_count    = s.chunk_count    + CASE WHEN TG_TABLE_NAME = 'conversation_chunks' THEN d.n ELSE 0 END,
               memory_count   = s.memory_count   + CASE WHEN TG_TABLE_NAME = 'memories'            THEN d.n ELSE 0 END,
               task_count     = s.task_count     + CASE WHEN TG_TABLE_NAME = 'tasks'               THEN d.n ELSE 0 END,
               artifact_count = s.artifact_count + CASE WHEN TG_TABLE_NAME = 'artifacts'           THEN d.n ELSE 0 END,
               last_activity  = now()
          FROM (SELECT session_id, count(*)::integer AS n FROM new_rows GROUP BY session_id) d
         WHERE s.id = d.session_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE sessions s
           SET chunk_count    = s.chunk_count    - CASE WHEN TG_TABLE_NAME = 'conversation_chunks' THEN d.n ELSE 0 END,
               memory_count   = s.memory_count   - CASE WHEN TG_TABLE_NAME = 'memories'            THEN d.n ELSE 0 END,
               task_count     = s.task_count     - CASE WHEN TG_TABLE_NAME = 'tasks'               THEN d.n ELSE 0 END,
               artifact_count = s.artifact_count - CASE WHEN TG_TABLE_NAME = 'artifacts'           THEN d.n ELSE 0 END,
               last_activity  = now()
          FROM (SELECT session_id, count(*)::integer AS n FROM old_rows GROUP BY session_id) d
         WHERE s.id = d.session_id;
    ELSE  -- row-level UPDATE OF session_id: move one row between sessions
        UPDATE sessions s
           SET chunk_count    = s.chunk_count    + CASE WHEN TG_TABLE_NAME = 'conversation_chunks' THEN d.n ELSE 0 END,
               memory_count   = s.memory_count   + CASE WHEN TG_TABLE_NAME = 'memories'            THEN d.n ELSE 0 END,
               task_count     = s.task_count     + CASE WHEN TG_TABLE_NAME = 'tasks'               THEN d.n ELSE 0 END,
               artifact_count = s.artifact_count + CASE WHEN TG_TABLE_NAME = 'artifacts'           THEN d.n ELSE 0 END,
               last_activity  = now()
          FROM (VALUES (OLD.session_id, -1), (NEW.session_id, 1)) AS d (session_id, n)
         WHERE s.id = d.session_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER conversation_chunks_session_insert AFTER INSERT ON conversation_chunks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER conversation_chunks_session_delete AFTER DELETE ON conversation_chunks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER conversation_chunks_session_move AFTER UPDATE OF session_id ON conversation_chunks
    FOR EACH ROW WHEN (OLD.session_id IS DISTINCT FROM NEW.session_id) EXECUTE FUNCTION track_session_activity();

CREATE TRIGGER memories_session_insert AFTER INSERT ON memories
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER memories_session_delete AFTER DELETE ON memories
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER memories_session_move AFTER UPDATE OF session_id ON memories
    FOR EACH ROW WHEN (OLD.session_id IS DISTINCT FROM NEW.session_id) EXECUTE FUNCTION track_session_activity();

CREATE TRIGGER tasks_session_insert AFTER INSERT ON tasks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER tasks_session_delete AFTER DELETE ON tasks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER tasks_session_move AFTER UPDATE OF session_id ON tasks
    FOR EACH ROW WHEN (OLD.session_id IS DISTINCT FROM NEW.session_id) EXECUTE FUNCTION track_session_activity();

CREATE TRIGGER artifacts_session_insert AFTER INSERT ON artifacts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER artifacts_session_delete AFTER DELETE ON artifacts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION track_session_activity();
CREATE TRIGGER artifacts_session_move AFTER UPDATE OF session_id ON artifacts
    FOR EACH ROW WHEN (OLD.session_id IS DISTINCT FROM NEW.session_id) EXECUTE FUNCTION track_session_activity();
