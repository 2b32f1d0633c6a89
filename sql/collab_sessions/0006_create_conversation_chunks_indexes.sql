-- collab_sessions 0006: full-text search over conversation content
CREATE INDEX conversation_chunks_content_tsv_gin_idx ON conversation_chunks USING gin (content_tsv);
