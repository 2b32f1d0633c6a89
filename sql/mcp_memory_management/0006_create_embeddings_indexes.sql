-- mcp_memory_management 0006: semantic recall over memories (HNSW, cosine)
CREATE INDEX embeddings_embedding_hnsw_idx ON embeddings
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
