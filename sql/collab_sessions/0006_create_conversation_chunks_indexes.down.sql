-- collab_sessions 0006: drop the conversation_chunks indexes
DROP INDEX conversation_chunks_content_tsv_gin_idx;
