-- agent_memory 0006: memories.embedding back to vector(384) and its full-precision HNSW index (the precision halfvec dropped is not restored)
DROP INDEX memories_embedding_hnsw_idx;
ALTER TABLE memories ALTER COLUMN embedding TYPE vector(384);
CREATE INDEX memories_embedding_hnsw_idx ON memories
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
