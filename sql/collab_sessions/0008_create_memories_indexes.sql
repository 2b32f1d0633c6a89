-- collab_sessions 0008: full-text search over memory content; tag filters; latest memories of a type
CREATE INDEX memories_content_tsv_gin_idx ON memories USING gin (content_tsv);
CREATE INDEX memories_tags_gin_idx ON memories USING gin (tags);
CREATE INDEX memories_type_created_at_idx ON memories (type, created_at DESC);
