-- mcp_inference_enhancement 0007: embeddings.embedding back to vector(384) and its full-precision HNSW index (the precision halfvec dropped is not restored)
DROP INDEX embeddings_embedding_hnsw_idx;
ALTER TABLE embeddings ALTER COLUMN embedding TYPE vector(384);
CREATE INDEX embeddings_embedding_hnsw_idx ON embeddings
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
