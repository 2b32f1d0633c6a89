-- collab_sessions 0008: drop the memories indexes
DROP INDEX memories_type_created_at_idx;
DROP INDEX memories_tags_gin_idx;
DROP INDEX memories_content_tsv_gin_idx;
