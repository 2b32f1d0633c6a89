-- collab_sessions 0012: drop the artifacts indexes
DROP INDEX artifacts_content_tsv_gin_idx;
DROP INDEX artifacts_task_id_idx;
DROP INDEX artifacts_session_id_created_at_idx;
