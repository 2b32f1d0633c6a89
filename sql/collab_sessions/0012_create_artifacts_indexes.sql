-- collab_sessions 0012: a session's artifacts (covers the foreign key); artifacts of a task (foreign key); full-text search
CREATE INDEX artifacts_session_id_created_at_idx ON artifacts (session_id, created_at);
CREATE INDEX artifacts_task_id_idx ON artifacts (task_id);
CREATE INDEX artifacts_content_tsv_gin_idx ON artifacts USING gin (content_tsv);
