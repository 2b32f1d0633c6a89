-- mcp_inference_enhancement 0002: nearest-neighbour search (HNSW, cosine); metadata containment filters
CREATE INDEX embeddings_embedding_hnsw_idx ON embeddings
    USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX embeddings_metadata_gin_idx ON embeddings USING gin (metadata jsonb_path_ops);
